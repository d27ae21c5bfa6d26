/*-------------------------------------------------------------------------
 *
 * verify_internal.h
 *		The pieces of verify.c's one planner path that plan_prepared.c
 *		(prepare once, plan many: idx_whatif and the advisor) shares with
 *		it.  Not for other modules: they call verify.h or ia_hypo.h.
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

typedef bool (*PlanVisitor) (Plan *plan, void *ctx);

/* planTree and every sub-plan; stops as soon as visit says true */
extern bool ia_walk_stmt(PlannedStmt *stmt, PlanVisitor visit, void *ctx);
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
