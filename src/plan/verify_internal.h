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
extern ErrorData *ia_subxact_caught(MemoryContext cxt, ResourceOwner owner,
									bool rethrow_cancel);
extern char *ia_explain_text(List *stmts, const char *query);
/* what the planner sees; reset to NIL after planning, also on error */
extern void ia_verify_set_planning(List *hypos, List *hidden,
								   List *explained);

#endif							/* INDEX_ADVISOR_VERIFY_INTERNAL_H */
