/*-------------------------------------------------------------------------
 *
 * ia_plan.h
 *		What src/plan/ offers the other folders: the folder's one public
 *		header.  A file outside src/plan/ includes this header and none of
 *		the folder's others (scripts/house.sh checks it).
 *
 * Its sections, each with its own comment: check_time, hidden, hypo,
 * values, verify.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_PLAN_H
#define IA_PLAN_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "nodes/params.h"
#include "nodes/pathnodes.h"
#include "nodes/pg_list.h"
#include "nodes/parsenodes.h"
#include "nodes/plannodes.h"
#include "utils/resowner.h"

/*-------------------------------------------------------------------------
 *
 * check_time (a section of ia_plan.h)
 *		The time limits of a check (index_advisor.check_timeout per stored
 *		query, a deadline per row from index_advisor.check_total_timeout)
 *		and the rule that a real cancel is never taken for one of them
 *		(check_time.c).  For the check of stored queries
 *		(src/check/verify_queries.c), which calls it around each stored
 *		query it plans at check time, and verify.c (its setting).
 *
 * Caller's rules: ia_check_begin() and ia_check_end() bracket a whole
 * check (ia_check_end also on error: PG_FINALLY); between them, each
 * query is planned between ia_check_timer_start() and
 * ia_check_timer_stop(), and a caught error is passed to
 * ia_check_caught() after ia_check_timer_stop().
 *
 *-------------------------------------------------------------------------
 */

/* what ia_check_caught() found an error to be */
typedef enum IaCheckStop
{
	IA_CHECK_ERROR,				/* the query's own error: record it */
	IA_CHECK_TIMEOUT,			/* check_timeout: a planning error */
	IA_CHECK_NOT_CHECKED		/* the deadline: no verdict */
} IaCheckStop;

/* the message of a query the deadline stopped, or never started */
#define IA_NOT_CHECKED_MESSAGE "not checked: the check's time ran out"

/* defines index_advisor.check_timeout; from ia_verify_init */
extern void ia_check_time_init(void);

extern void ia_check_begin(void);
extern void ia_check_end(void);
extern bool ia_check_deadline_passed(TimestampTz deadline);
extern bool ia_check_timer_start(TimestampTz deadline, int flags);
extern void ia_check_timer_stop(void);
extern IaCheckStop ia_check_caught(ErrorData *edata, int flags);

/*-------------------------------------------------------------------------
 *
 * hidden (a section of ia_plan.h)
 *		Hidden ("invisible") indexes: what src/plan/hidden.c (the planner
 *		filter and its cache) and src/plan/hide.c (idx_hide, idx_unhide and
 *		the rollback of a hide) offer the rest of index_advisor.
 *
 * A hidden index is listed in the extension's table idx_hidden_indexes
 * (src/update/0.1--0.2/84_hidden.sql).  Every backend that has the library
 * loaded removes the listed indexes from every planning (get_relation_info
 * hook), at every nesting level, unless the session set
 * index_advisor.use_hidden_indexes.  doc/hidden.md is the user's reference.
 *
 *-------------------------------------------------------------------------
 */

/* hidden.c: by _PG_init, after ia_verify_init() (the hooks chain) */
extern void ia_hidden_init(void);

/* hidden.c: ERROR 55000 unless every session of the server has the hook */
extern void ia_hidden_require_preload(void);

/* hidden.c: whether an index is hidden now */
extern bool ia_hidden_listed(Oid indexoid);

/*
 * hidden.c: let this backend's planner see "indexoid" even if hidden, until
 * the end of the transaction (idx_explain and idx_report plan "with" the
 * index they check).
 */
extern void ia_hidden_exempt(Oid indexoid);

/*
 * hidden.c: the index an idx_hidden_indexes row names in this cluster, or
 * InvalidOid (the rule once, for the cache and for SQL).
 */
extern Oid	ia_hidden_resolve(Oid index_oid, Oid table_oid, Oid index_table_oid,
							  const char *schema_name, const char *index_name);

/* hide.c: idx_apply(..., visible => false) queued create row "id" */
extern void ia_hidden_pending(int64 id);

/* hide.c: idx_rollback of hide row "id" (of table "tableoid"): unhide */
extern int64 ia_hidden_rollback(int64 id, Oid tableoid);

/*-------------------------------------------------------------------------
 *
 * hypo (a section of ia_plan.h)
 *		Hypothetical indexes and the costing API of the advisor.
 *
 *	hypo.c        a hypothetical index from a CREATE INDEX text, checked as
 *	              idx_apply checks it (definition/resolve.c; the advisor's variant
 *	              skips only who may build it); its size
 *	plan_prepared.c  prepare a query once, plan it many times against sets
 *	              of hypothetical indexes (the one planner path, as the caller)
 *	plan_hooks.c  the planner hooks: only index_advisor's own planner call
 *	              sees hypothetical (and hidden) indexes
 *	hypoplan.c    the IndexOptInfo of a hypothetical index, used by
 *	              plan_hooks.c's get_relation_info hook
 *	hyposize.c    its size model (pages, tuples, tree height)
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
	/* last size estimate made while planning (hyposize.c) */
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

/* hyposize.c (for hypoplan.c) */
extern void ia_hypo_estimate(PlannerInfo *root, RelOptInfo *rel,
							 IaHypoIndex *h, IaHypoTarget *t, List *pred);

/*-------------------------------------------------------------------------
 *
 * values (a section of ia_plan.h)
 *		Representative values for the $n of a stored or advised query
 *		(values.c): the one rule that idx_advise / idx_advise_workload
 *		(advise_plan.c) and idx_explain(id, "analyze" => true) (measure.c)
 *		both use, with pg_stats' visibility rule inside it
 *		(ia_stats_visible, which hyposize.c's size model asks too).
 *
 *-------------------------------------------------------------------------
 */

/* What ia_param_values found for one $n. */
typedef struct IaParamValue
{
	bool		found;			/* value is a representative value */
	bool		shown;			/* ... that the viewer may see */
	bool		hidden;			/* not found because a column it is compared
								 * with has statistics the planner may not
								 * read (relid/attnum name the first one) */
	Datum		value;
	Oid			relid;			/* the column it was taken from, or (hidden)
								 * the column the planner may not read */
	AttrNumber	attnum;
	const char *kind;			/* "most common value", "10th percentile",
								 * "90th percentile", "middle of the
								 * histogram", "sent" */
	bool		sent;			/* a constant the application sends
								 * (IaSentValue), not a statistic */
	bool		pattern;		/* the pattern of "col LIKE $n" (or ILIKE),
								 * the document of jsonb "col @> $n" */
	bool		rare;			/* a value for a twin: "col = $n":
								 * rare_value is the column's rarest
								 * most-common value, a rare one; "col <>
								 * $n" (rare_bulk): its most common value,
								 * at least half of the rows */
	bool		rare_bulk;
	Datum		rare_value;
	double		rare_freq;		/* its share of the rows */
	int			rare_among;		/* the values of the column's most-common
								 * list, rare_value one of them */
} IaParamValue;

/*
 * A constant the application was seen sending to compare with a column by
 * an operator (pg_qualstats' constvalue, as it prints it: 'blocked'::text, 5::integer).
 */
typedef struct IaSentValue
{
	Oid			relid;
	AttrNumber	attnum;
	Oid			opno;			/* "col opno value" */
	char	   *text;
} IaSentValue;

extern Node *ia_strip_case(Node *node);
extern int	ia_btree_strategy(Oid opno, Node *operand);
extern bool ia_stats_visible(Oid relid, AttrNumber attnum, Oid role);
extern IaParamValue *ia_param_values(List *queries, Oid *types, int nparams,
									 Oid planner, Oid viewer);
extern IaParamValue *ia_param_values_sent(List *queries, Oid *types,
										  int nparams, Oid planner,
										  Oid viewer, List *sent);
extern char *ia_value_text(Datum value, Oid type);
extern char *ia_value_column(const IaParamValue *v);
extern char *ia_value_refusal(const IaParamValue *v, int paramno, Oid role);

/*-------------------------------------------------------------------------
 *
 * verify (a section of ia_plan.h)
 *		The one planner path (verify.c, planning_role.c, plan_walk.c,
 *		plan_hooks.c), for the files that plan: the check of stored
 *		queries (src/check/verify_queries.c), plan_prepared.c (prepare
 *		once, plan many: idx_whatif and the advisor) and the advisor.
 *		Other modules call ia_check.h or ia_plan.h.
 *
 *-------------------------------------------------------------------------
 */

/* the planning settings and hooks, set up once by _PG_init */
extern void ia_verify_init(void);

typedef bool (*IaPlanVisitor) (Plan *plan, void *ctx);

/* planTree and every sub-plan; stops as soon as visit says true */
extern bool ia_walk_stmt(PlannedStmt *stmt, IaPlanVisitor visit, void *ctx);
/* plan_walk.c: the index a plan node scans, and how; InvalidOid: none */
extern Oid	ia_index_scan_of(Plan *plan, const char **scan);
/* plan_walk.c: the scan of one of indexoids / tableoids, or NULL */
extern const char *ia_find_index_scan(PlannedStmt *stmt, List *indexoids);
extern char *ia_find_table_scan(PlannedStmt *stmt, List *tableoids);
/* parse and analyse as PREPARE with unknown parameter types */
extern List *ia_analyze_query(const char *query, Oid **paramtypes,
							  int *nparams);
/* the planning role of a query of "requester" (42501 when none) */
extern Oid	ia_planning_role(Oid requester, List *queries);
/* relations a rewritten query reads */
extern List *ia_query_relids(List *queries);
/* act as role, under SECURITY_RESTRICTED_OPERATION */
extern void ia_become(Oid role, int outer_sec);
/* a planning subtransaction: caller's memory and owner restored on every path */
extern void ia_subxact_begin(MemoryContext cxt);
extern void ia_subxact_end(MemoryContext cxt, ResourceOwner owner,
						   bool commit);
extern void ia_rethrow(ErrorData *edata) pg_attribute_noreturn();
extern ErrorData *ia_subxact_caught(MemoryContext cxt, ResourceOwner owner,
									bool rethrow_cancel);
/* plan as planner with "hide" left out, privileges checked as requester */
extern List *ia_plan_queries(List *queries, const char *query, Oid planner,
							 Oid requester, int outer_sec, List *hide);
extern double ia_stmts_cost(List *stmts);
extern char *ia_explain_text(List *stmts, const char *query);
/*
 * plan_hooks.c: what index_advisor's own next planner call (and only it)
 * sees; push right before pg_plan_query, pop right after (PG_FINALLY)
 */
extern int	ia_planning_push(List *hypos, List *hidden, List *explained);
extern void ia_planning_pop(int mark);
extern void ia_planning_hide(List *indexoids);
/* pg_plan_query in a planner call that alone sees hypos and hidden */
extern PlannedStmt *ia_plan_one(Query *q, const char *text,
								ParamListInfo params, List *hypos,
								List *hidden);
extern char *ia_explain_named(List *stmts, const char *query, List *hypos);
extern void ia_plan_hooks_init(void);

#endif							/* IA_PLAN_H */
