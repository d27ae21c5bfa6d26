/*-------------------------------------------------------------------------
 *
 * measure.h
 *		Measured speed-up (measure.c), called by verify_queries.c for
 *		idx_explain(id, "analyze" => true).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_MEASURE_H
#define IA_MEASURE_H

#include "nodes/pg_list.h"
#include "ia_check.h"

/*
 * What verify_queries.c lends measure.c: switch role (plan/verify.c's
 * ia_become), hide indexes (plan_hooks.c's ia_planning_hide; NIL: none).
 */
typedef struct IaMeasureHooks
{
	void		(*become) (Oid role, int outer_sec);
	void		(*hide) (List *indexoids);
} IaMeasureHooks;

extern void ia_measure_query(const IaVerifyTarget *t, const char *query,
							 Oid planner, List *indexoids, int outer_sec,
							 const IaMeasureHooks *hooks, IaQueryResult *r,
							 MemoryContext out);

#endif							/* IA_MEASURE_H */
