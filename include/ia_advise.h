/*-------------------------------------------------------------------------
 *
 * ia_advise.h
 *		The advisor (idx_advise, idx_advise_workload): candidate indexes
 *		drawn from analysed queries (advise_candidates.c), hypothetical
 *		indexes the planner sees while the advisor plans
 *		(advise_hypo.c), selection under a budget (advise.c).
 *
 * Layering: advise.c calls the two others and verify.c (analysis and the
 * rule of who plans as whom) and definition.c (naming and the duplicate
 * rule of idx_apply); nothing calls advise.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_ADVISE_H
#define IA_ADVISE_H

#include "postgres.h"

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"

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
	Oid			fakeoid;		/* hypothetical index OID */
	double		est_pages;		/* -1 until the planner saw it */
	double		est_tuples;
	Bitmapset  *from;			/* queries it was drawn from */
} IaCand;

/* A $n compared with a column: what may stand for it when planning. */
typedef struct IaParamUse
{
	int			paramno;		/* $n */
	Oid			relid;
	AttrNumber	attnum;
	int			strategy;		/* btree strategy, column on the left */
} IaParamUse;

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
	char	   *pred_literal;	/* a literal of "col = 'x'" among preds */
	List	   *gin;			/* IaCandKey with opclass: @>, &&, LIKE */
	Bitmapset  *used;			/* attnums read (offset as pull_varattnos) */
	bool		wholerow;
	List	   *params;			/* IaParamUse */
	List	   *notes;			/* char *: what the query cannot get */
} IaRelUse;

/* advise_candidates.c */
extern List *ia_advise_extract(List *querytrees, int qno);
extern List *ia_advise_generate(List *uses, int *nextid);
extern char *ia_advise_cand_text(IaCand *c);
extern bool ia_advise_same_cand(IaCand *a, IaCand *b);

/* advise_hypo.c: the hypothetical indexes the planner sees, only while
 * ia_advise_hypo_set() has made them visible (NIL hides them all). */
extern void ia_advise_hypo_init(void);
extern void ia_advise_hypo_set(List *cands);
extern double ia_advise_est_pages(IaCand *c, double reltuples,
								  double predsel);

#endif							/* IA_ADVISE_H */
