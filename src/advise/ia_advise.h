/*-------------------------------------------------------------------------
 *
 * ia_advise.h
 *		What src/advise/ offers the other folders: the folder's one public
 *		header.  A file outside src/advise/ includes this header and none
 *		of the folder's others (scripts/house.sh checks it).
 *
 * Its sections, each with its own comment: advise, normalised.
 * Private to src/advise/: advise_internal.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_ADVISE_H
#define IA_ADVISE_H

#include "postgres.h"

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "utils/array.h"

#include "ia_plan.h"

/*-------------------------------------------------------------------------
 *
 * advise (a section of ia_advise.h)
 *		The advisor (idx_advise, idx_advise_workload): candidate indexes
 *		drawn from analysed queries (advise_extract.c reads them,
 *		advise_candidates.c makes the candidates), costed as hypothetical
 *		indexes of the one engine (ia_plan.h: hypo.c, plan_prepared.c) by
 *		advise_plan.c, selected under a budget by advise_select.c.
 *
 * Layering: advise.c calls the others, ia_plan.h (hypothetical indexes,
 * their sizes, planning as verify.c's rule says) and definition/ (naming.c,
 * and duplicates.c: the duplicate rule of idx_apply); nothing calls advise.c.
 *
 *-------------------------------------------------------------------------
 */

/* One key column of a candidate: a column (attnum) or an expression. */
typedef struct IaCandKey
{
	AttrNumber	attnum;			/* 0 for an expression */
	Node	   *expr;			/* analysed, Vars with varno 1 */
	bool		desc;
	bool		nulls_first;
	char	   *opclass;		/* NULL = default */
} IaCandKey;

/* One candidate index. */
typedef struct IaCand
{
	int			id;
	Oid			relid;
	Oid			amid;			/* BTREE_AM_OID or GIN_AM_OID */
	List	   *keys;			/* IaCandKey */
	List	   *include;		/* attnums (int) */
	Node	   *pred;			/* analysed, varno 1; NULL = none */
	bool		literal_pred;	/* pred holds "col = literal" */
	char	   *pred_literal;	/* such a literal, for the note */
	char	   *text;			/* CREATE INDEX ON ... (no name) */
	struct IaHypoIndex *hypo;	/* its hypothetical index (hypo.c) */
	int64		est_bytes;		/* ia_hypo_size(), -1 until asked */
	char	   *apply_refusal;	/* why idx_apply would refuse it to the
								 * caller (42501), or NULL */
	Bitmapset  *from;			/* queries it was drawn from */
	List	   *partners;		/* IaCand: the other arms of an OR it
								 * serves, chosen with it (BitmapOr) */
	char	   *hot_loss;		/* the note when it indexes a column the
								 * given statements update (their updates
								 * are no longer HOT), or NULL */
} IaCand;

/* A $n compared with a column: what may stand for it when planning. */
typedef struct IaParamUse
{
	int			paramno;		/* $n */
	Oid			relid;
	AttrNumber	attnum;
	int			strategy;		/* btree strategy, column on the left */
} IaParamUse;

/* One arm of an OR: the index it needs (btree or gin, its keys). */
typedef struct IaOrArm
{
	Oid			amid;
	List	   *keys;			/* IaCandKey */
} IaOrArm;

/* What one analysed query says about one base table it reads. */
typedef struct IaRelUse
{
	int			qno;			/* the query, 0-based */
	Oid			relid;
	Index		rti;
	List	   *eq;				/* IaCandKey: col = value */
	List	   *join;			/* IaCandKey: col = other table's col */
	List	   *range;			/* IaCandKey: col < > <= >= BETWEEN value */
	List	   *sort;			/* IaCandKey with direction: ORDER BY */
	List	   *preds;			/* constant predicates, varno 1 */
	List	   *cmp_preds;		/* comparisons of two of its columns
								 * (l_commitdate < l_receiptdate), varno 1:
								 * partial index material without a
								 * constant */
	char	   *pred_literal;	/* a literal of "col = 'x'" among preds */
	List	   *gin;			/* IaCandKey with opclass: @>, &&, LIKE */
	Bitmapset  *used;			/* attnums read (offset as pull_varattnos) */
	Bitmapset  *set;			/* attnums the statement sets: UPDATE or
								 * ON CONFLICT DO UPDATE, and the stored
								 * generated columns of those (offset as
								 * used) */
	bool		wholerow;
	List	   *params;			/* IaParamUse */
	List	   *notes;			/* char *: what the query cannot get */
	List	   *ors;			/* per OR of this table: a List of IaOrArm */
	List	   *joinsets;		/* per other table joined by equality: the
								 * List of IaCandKey of this side */
	List	   *joinset_rtis;	/* int: that other table's rti, in step */
} IaRelUse;

/* advise_extract.c */
extern List *ia_advise_extract(List *querytrees, int qno);

/* advise_candidates.c */
extern List *ia_advise_generate(List *uses, int *nextid);
extern char *ia_advise_cand_text(IaCand *c);
extern bool ia_advise_same_cand(IaCand *a, IaCand *b);

/*-------------------------------------------------------------------------
 *
 * normalised (a section of ia_advise.h)
 *		Prepare a statement as pg_stat_statements stores it (normalised.c):
 *		"interval $3" as "$3::interval", an ambiguous unknown $n given a
 *		type; for idx_advise_workload (advise_plan.c).
 *
 *-------------------------------------------------------------------------
 */

extern char *ia_normalised_text(const char *text);
extern IaPrepared *ia_prepare_normalised(const char *text, MemoryContext cxt,
										 char **planned);

extern char *ia_bind_sent_text(const char *text, int paramid, Datum value,
							   Oid type);
extern List *ia_bind_sent_value(List *queries, int paramid, Datum value,
							   Oid type);

extern void ia_attach_sent_values(List *qs, ArrayType *stmts,
								  ArrayType *rels, ArrayType *atts,
								  ArrayType *ops, ArrayType *values);

#endif							/* IA_ADVISE_H */
