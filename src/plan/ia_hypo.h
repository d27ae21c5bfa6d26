/*-------------------------------------------------------------------------
 *
 * ia_hypo.h
 *		Hypothetical indexes and the costing API of the advisor.
 *
 *	hypo.c        a hypothetical index from a CREATE INDEX text, checked as
 *	              idx_apply checks it (definition/resolve.c; the advisor's variant
 *	              skips only who may build it); its size
 *	plan_prepared.c  prepare a query once, plan it many times against sets
 *	              of hypothetical indexes (the one planner path, as the caller)
 *	plan_hooks.c  the planner hooks: only index_advisor's own planner call
 *	              sees hypothetical (and hidden) indexes
 *	hypoplan.c    the IndexOptInfo of a hypothetical index and the size
 *	              model, used by plan_hooks.c's get_relation_info hook
 *
 * A hypothetical index is visible to the planner only in the planner call
 * ia_plan_prepared() makes (plan_hooks.c: not in planning nested inside it,
 * such as the queries of a function it folds, and so never in a plan any
 * cache keeps), never to other queries or sessions.
 *
 * Typical use (the advisor):
 *
 *		IaPrepared *q = ia_prepare(query_text, cxt);
 *		IaHypoIndex *h = ia_hypo_from_definition("CREATE INDEX ON t (a)");
 *		IaPlanned before, after;
 *		ia_plan_prepared(q, NIL, NIL, NULL, 0, &before);
 *		ia_plan_prepared(q, list_make1(h), NIL, NULL, 0, &after);
 *		... after.total_cost, after.used_hypos, after.used_scans ...
 *
 * ia_plan_prepared(p, hypos, hide, params, flags, out): hypos = the
 * hypothetical indexes to add (IaHypoIndex *), hide = OIDs of real indexes
 * to leave out (a partitioned index: list its partitions' indexes too),
 * params = values for $n from ia_prepared_params() (custom plan) or NULL
 * (generic plan).
 *
 * Caller's rules: inside a transaction with an active snapshot (any
 * SQL-callable function is); the caller's current user is the requester.
 * All memory is allocated in CurrentMemoryContext unless said otherwise;
 * IaPrepared lives in the context given to ia_prepare().  Tables that a
 * prepared query reads stay AccessShareLocked until the caller's
 * transaction ends, as a SELECT would.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_HYPO_H
#define IA_HYPO_H

#include "postgres.h"

#include "nodes/params.h"
#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"

/*
 * Where a hypothetical index applies: its own table, or, for an index on a
 * partitioned table, each leaf partition (attribute numbers, expressions and
 * predicate mapped to the leaf's columns; Vars with varno 1).
 */
typedef struct IaHypoTarget
{
	Oid			relid;			/* a plain table or leaf partition */
	AttrNumber	attnums[INDEX_MAX_KEYS];	/* 0 = expression */
	List	   *exprs;
	List	   *pred;			/* implicit-AND list, NIL if not partial */
	/* last size estimate made while planning (hypoplan.c) */
	BlockNumber est_pages;
	double		est_tuples;
	int			est_height;
	bool		estimated;
} IaHypoTarget;

typedef struct IaHypoIndex
{
	Oid			oid;			/* fake: below FirstNormalObjectId (hypo.c) */
	char	   *definition;		/* as given */
	char	   *name;			/* given or generated as PostgreSQL would */
	Oid			relid;			/* the table of the definition */
	Oid			amid;
	bool		unique;
	bool		nulls_not_distinct;
	int			nkeys;			/* key columns */
	int			natts;			/* key + INCLUDE columns */
	Oid			opclasses[INDEX_MAX_KEYS];
	Oid			opfamilies[INDEX_MAX_KEYS];
	Oid			opcintypes[INDEX_MAX_KEYS];
	Oid			collations[INDEX_MAX_KEYS];
	int16		options[INDEX_MAX_KEYS];	/* INDOPTION_DESC, _NULLS_FIRST */
	int			fillfactor;		/* from WITH (fillfactor), else the AM's */
	bool		dedup;			/* btree deduplication applies */
	Oid			tablespace;
	List	   *targets;		/* IaHypoTarget *: one, or one per leaf */
	/* the advisor: a prepared statement h was drawn from, whose author
	 * and planning role size it (hypo.c); NULL: sized as the caller */
	const struct IaPrepared *sized_for;
} IaHypoIndex;

/* hypo.c */
extern IaHypoIndex *ia_hypo_from_definition(const char *definition);
extern IaHypoIndex *ia_hypo_from_definition_unowned(const char *definition);
extern int64 ia_hypo_size(IaHypoIndex *h);	/* estimated bytes */
extern int	ia_hypo_oid_capacity(void); /* most hypothetical indexes a call
										 * may make */
extern int64 ia_hypo_size_planned(IaHypoIndex *h);	/* the same, from the
													 * last planning if any */

/* A query analysed once, as the caller, to be planned many times. */
typedef struct IaPrepared
{
	const char *query;			/* the text */
	List	   *queries;		/* rewritten Query list (read-only!) */
	Oid		   *paramtypes;		/* types of $1..$n, as PREPARE infers */
	int			nparams;
	Oid			requester;		/* the caller */
	Oid			planner;		/* ia_planning_role's choice */
	List	   *relids;			/* the relations it reads (OIDs) */
	bool		perms_checked;
	MemoryContext cxt;
} IaPrepared;

/* What one planning says. */
typedef struct IaPlanned
{
	double		total_cost;		/* sum over the rewritten statements */
	List	   *used_hypos;		/* IaHypoIndex * the plan uses, each once,
								 * in plan order */
	List	   *used_scans;		/* const char *: "Index Scan", "Index Only
								 * Scan" or "Bitmap Index Scan", parallel to
								 * used_hypos */
	List	   *used_real;		/* OIDs of real indexes the plan uses */
	char	   *plan;			/* EXPLAIN text (IA_PLAN_EXPLAIN) or NULL */
	List	   *stmts;			/* the PlannedStmts (IA_PLAN_STMTS) or NIL */
} IaPlanned;

#define IA_PLAN_EXPLAIN		0x01	/* fill plan */
#define IA_PLAN_EXPLAIN_LAST	0x02	/* ia_plan_batch: of the last set only */
#define IA_PLAN_STMTS		0x04	/* fill stmts (copies, in the caller's
									 * context) */

/* plan_prepared.c */
extern IaPrepared *ia_prepare(const char *query, MemoryContext cxt);
extern IaPrepared *ia_prepare_for(const char *query, const IaPrepared *source,
								  MemoryContext cxt);
/* the relations a statement reads, analysed as its author (no plan) */
extern List *ia_prepare_reads(const char *query, Oid author, const char *path,
							  MemoryContext cxt);
extern ParamListInfo ia_prepared_params(IaPrepared *p, char **values,
										bool *nulls, int n);
extern void ia_plan_prepared(IaPrepared *p, List *hypos, List *hide,
							 ParamListInfo params, int flags,
							 IaPlanned *out);
/* the same for n sets of hypothetical indexes, in one subtransaction */
extern void ia_plan_batch(IaPrepared *p, int n, List **hypo_sets,
						  List *hide, ParamListInfo params, int flags,
						  IaPlanned *out);

/* hypoplan.c (for plan_hooks.c's hook) */
extern void ia_hypo_add_indexes(PlannerInfo *root, Oid relid,
								RelOptInfo *rel, List *hypos);
extern const char *ia_hypo_name(List *hypos, Oid indexoid);
extern void ia_hypo_estimate(PlannerInfo *root, RelOptInfo *rel,
							 IaHypoIndex *h, IaHypoTarget *t, List *pred);

#endif							/* IA_HYPO_H */
