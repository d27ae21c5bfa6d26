/*-------------------------------------------------------------------------
 *
 * verify_internal.h
 *		The one planner path (verify.c, planning_role.c, plan_walk.c,
 *		plan_hooks.c), for the files that plan: the check of stored
 *		queries (src/check/verify_queries.c), plan_prepared.c (prepare
 *		once, plan many: idx_whatif and the advisor) and the advisor.
 *		Other modules call verify.h or ia_hypo.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef INDEX_ADVISOR_VERIFY_INTERNAL_H
#define INDEX_ADVISOR_VERIFY_INTERNAL_H

#include "postgres.h"

#include "nodes/params.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "nodes/plannodes.h"
#include "utils/resowner.h"

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

#endif							/* INDEX_ADVISOR_VERIFY_INTERNAL_H */
