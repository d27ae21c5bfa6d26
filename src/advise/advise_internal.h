/*-------------------------------------------------------------------------
 *
 * advise_internal.h
 *		What advise.c (the SQL functions and their rows), advise_plan.c
 *		(preparing, costing), advise_reach.c (which candidates can change a
 *		plan), advise_size.c (sizing), advise_select.c (selecting),
 *		advise_extract.c, advise_pullup.c, advise_sublink.c, advise_like.c
 *		and advise_candidates.c share.  Not for other modules.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_ADVISE_INTERNAL_H
#define IA_ADVISE_INTERNAL_H

#include "postgres.h"

#include "nodes/execnodes.h"
#include "nodes/params.h"
#include "utils/hsearch.h"

#include "ia_advise.h"
#include "ia_plan.h"

#define IA_MIN_GAIN			0.05	/* a query is helped at -5 % */
#define IA_MIN_GAIN_COST	10.0	/* and at least this many cost units */
#define IA_REL_MARGIN		0.693	/* ln 2: one query left at half the cost */
#define IA_EXCHANGE_PAIRS	8		/* two-for-one trades tried under a budget */
#define IA_MAX_CANDIDATES	400
#define IA_MAX_INDEXES		100		/* max_indexes' ceiling, and NULL's value */

/*
 * a value a workload statement's $n is tried with in a twin
 * (advise_values.c): a rare one for "col = $n", the bulk for "col <> $n"
 */
typedef struct AdvRareValue
{
	int			paramno;
	Datum		value;
	Oid			type;
	bool		bulk;			/* "col <> $n": the column's most common */
	double		freq;			/* its share of the rows */
	double		share;			/* the share of the statement's calls it
								 * stands for: one value of the column's
								 * most-common list, each as likely */
	char	   *column;			/* "table.column", for the note */
} AdvRareValue;

typedef struct AdvQuery
{
	int			qno;
	char	   *text;
	Oid			role;			/* analysed as (the requester) */
	double		weight;
	IaPrepared *prep;			/* ia_prepare()'d as role: the rewritten
								 * Query list and who plans it */
	ParamListInfo rep;			/* representative $n values, or NULL */
	char	   *rep_note;
	List	   *relids;
	List	   *relcols;		/* per relids entry, the Bitmapset of the
								 * columns the query reads of it (offset by
								 * FirstLowInvalidHeapAttributeNumber), NULL
								 * when it could use any index of the table
								 * (whole row, no column, or not known) */
	List	   *relwanted;		/* per relids entry, the Bitmapset of the
								 * columns in a position an index can serve
								 * (advise_reach.c), NULL when not known */
	Bitmapset  *cands_known;	/* candidate ids judged for this query */
	Bitmapset  *cands_reach;	/* those among them that can change its plan */
	List	   *costed;			/* MemoEntry of its plannings (advise_plan.c:
								 * a subset of a costed set that keeps what
								 * its plans used costs the same) */
	double		base;			/* cost without candidates */
	List	   *base_indexes;	/* oids of the existing indexes its plans
								 * use without candidates */
	double		cur;			/* cost with the current picks */
	char	   *reason;			/* why no index helps (when none does) */
	char	   *notes;			/* what the query cannot get, e.g. pg_trgm */
	char	   *error;			/* idx_advise: why it could not be advised
								 * ("SQLSTATE: message"), or NULL */
	List	   *sent;			/* IaSentValue: constants the application
								 * sends (workload: pg_qualstats) */
	List	   *rare;			/* AdvRareValue: to try in a twin (rare
								 * values and bulk ones) */
	List	   *bind_rare;		/* a twin: AdvRareValue bound into it */
	struct AdvQuery *twin_of;	/* a twin: the statement it was made from */
	bool		ok;
} AdvQuery;

/*
 * The memo's key: a query and the ids of the candidates that can change
 * its plan (advise_plan.c, candidates_on_tables_of()), all of them (hashed by memo_hash,
 * compared in full by memo_match).
 */
typedef struct MemoKey
{
	int			qno;
	Bitmapset  *ids;
} MemoKey;

/* one memoised costing: a query with the candidates on its tables */
typedef struct MemoEntry
{
	MemoKey		key;			/* first: the hash table's key */
	double		cost;
	Bitmapset  *used;			/* candidate ids the plans use */
} MemoEntry;

typedef struct AdvState
{
	List	   *queries;		/* AdvQuery, ok ones */
	List	   *cands;			/* IaCand */
	HTAB	   *memo;
	int			plannings;		/* sets of candidates planned (DEBUG1) */
	Bitmapset  *paired;			/* 1 + the ids of candidates with partners
								 * (advise_plan.c), NULL until asked */
	Oid			caller;			/* the calling role, with outer_sec */
	int			outer_sec;
	MemoryContext plan_cxt;
	double		mean_weight;
	int			skipped[6];
	List	   *failed;			/* AdvQuery with an error, one row each */
	Bitmapset  *pay_refused;	/* candidate ids that did not pay for their
								 * bytes (advise_pay.c), for the notes */
	HTAB	   *prefix_memo;	/* advise_pay.c: existing indexes made
								 * redundant by candidates */
} AdvState;

enum
{
	SKIP_UTILITY, SKIP_NOT_YOURS, SKIP_TEMP, SKIP_FAILS, SKIP_OTHER_DB,
	SKIP_TOO_LONG
};

/* advise_extract.c and advise_candidates.c, for each other */
extern bool ia_advise_has_column(List *keys, IaCandKey *k);
extern List *ia_advise_add_key(List *keys, IaCandKey *k);
extern double ia_advise_column_distinct(Oid relid, AttrNumber attnum);
extern bool ia_advise_few_values(Oid relid, AttrNumber attnum);

/* advise_pullup.c */
extern void ia_advise_pull_up(Query *q);
extern void ia_advise_push_down(Query *q, List *quals);
extern Bitmapset *ia_advise_expr_varnos(Node *node, bool *bad);
extern bool ia_advise_outer_ref(Node *e, int *group, int *levelsup);
extern void ia_advise_jointree_quals(Node *node, List **quals);
extern List *ia_advise_quals_as_planned(Query *q, List *quals);
extern Expr *ia_advise_or_of_rel(BoolExpr *or, int rti);

/* advise_sublink.c: a key of an IN or EXISTS sub-select's join */
typedef struct IaSublinkKey
{
	Index		rti;			/* its table in the level */
	Node	   *expr;			/* an expression of the level (varno rti) */
	int			group;			/* the keys joined to one other side */
} IaSublinkKey;

extern List *ia_advise_sublink_keys(Query *q, List **hints);
extern List *ia_advise_sublink_inner(Query *sub, List *hints);

/* advise_like.c */
extern bool ia_advise_like_prefix(Oid opno, Node *operand, Node *value,
								  Oid type, IaCandKey *k, Node **param);
extern char *ia_advise_like_gin(IaRelUse *u, Oid opno, Node *operand,
								Node *value);
extern Var *ia_advise_like_column(Node *operand);

/* advise_reach.c */
extern void ia_advise_query_reads(AdvQuery *q);
extern bool ia_advise_cand_reaches(AdvQuery *q, IaCand *c);

/* advise_plan.c */
extern HTAB *ia_advise_memo_create(void);
extern void ia_advise_representative_values(AdvState *st, AdvQuery *q,
											 bool workload);
extern List *ia_advise_prepare_query(AdvState *st, AdvQuery *q,
									  bool workload);
extern List *ia_advise_merge_sets(AdvState *st, AdvQuery *q, bool workload);
extern double ia_advise_query_cost(AdvState *st, AdvQuery *q, List *set,
								   Bitmapset **used);
extern double ia_advise_query_cost_exact(AdvState *st, AdvQuery *q,
										 List *set, Bitmapset **used);

/* advise_pay.c */
extern bool ia_advise_helps(double from, double to);
extern double ia_advise_cand_bytes(IaCand *c);
extern Bitmapset *ia_advise_changed(AdvState *st, List *set, Oid relid);
extern bool ia_advise_pays(AdvState *st, List *picks, List *group,
						   Bitmapset *changed);
extern int	ia_advise_pay_compare(AdvState *st, List *picks, List *ga,
								  Bitmapset *ca, List *gb, Bitmapset *cb);
extern char *ia_advise_wider_note(AdvState *st, List *picks, IaCand *c);

/* advise_select.c */
extern List *ia_advise_make_hypos(List *cands);
extern List *ia_advise_final_picks(AdvState *st, List *picks,
									int64 budget, int max_indexes);
extern bool ia_advise_refused_as_duplicate(IaCand *c);
extern double ia_advise_workload_cost(AdvState *st, List *set);
extern List *ia_advise_grow(AdvState *st, List *picks, List **refused,
							List **passed, int64 budget, double min_bytes,
							int max_indexes, bool per_byte, double *bound,
							int rounds);
extern List *ia_advise_rank_picks(AdvState *st, List *picks);
extern void ia_advise_set_current(AdvState *st, List *set);
extern double ia_advise_set_bytes(List *set);
extern double *ia_advise_fresh_bounds(AdvState *st);
extern double *ia_advise_bounds_without(AdvState *st, double *bound,
										IaCand *out);

/* advise_exchange.c */
extern List *ia_advise_select(AdvState *st, int64 budget, int max_indexes);

/* advise_merge.c */
extern List *ia_advise_merge_picks(AdvState *st, List *picks);

/* advise_size.c */
extern void ia_advise_size_candidates(AdvState *st);
extern bool ia_advise_size_one(AdvState *st, IaCand *c);

/* advise.c */
struct RelationData;
extern bool ia_advise_is_prefix_of(struct RelationData *irel, IaCand *c);
extern bool ia_advise_served_by_existing(IaCand *c);

/* advise_drops.c */
extern const char *ia_index_drop_refusal(Oid indexoid);
extern bool ia_advise_may_drop(Oid indexoid);
extern void ia_advise_emit_drops(AdvState *st, List *picks, List *names,
								 bool workload, ReturnSetInfo *rsinfo);

#endif							/* IA_ADVISE_INTERNAL_H */
