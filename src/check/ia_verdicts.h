/*-------------------------------------------------------------------------
 *
 * ia_verdicts.h
 *		The check's kept verdicts (verdicts.c): reuse a row's EXPLAIN verdict
 *		while nothing it was planned from has changed.
 *
 * Caller's rules (idx_plan_summary in usage.c): ia_verdicts_open() once
 * per call with every row's id; for each row, ia_verdicts_reuse() before
 * planning it, and if that says no, ia_verdicts_plan() plans it (through
 * ia_verify_queries, unchanged) and keeps the verdict when it is complete;
 * ia_verdicts_close() once after the last row (it fingerprints the verdicts
 * kept).
 * ia_planning_collect_relations() is plan_hooks.c's: the relations each
 * plan depends on.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_VERDICTS_H
#define IA_VERDICTS_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "verify.h"

typedef struct IaVerdicts IaVerdicts;

extern IaVerdicts *ia_verdicts_open(Oid fn_oid, int64 *ids, int nids);
extern bool ia_verdicts_reuse(IaVerdicts *v, const IaVerifyTarget *target,
							  int n, char **queries, IaQueryResult *results);
extern void ia_verdicts_plan(IaVerdicts *v, const IaVerifyTarget *target,
							 int n, char **queries, IaQueryResult *results);
extern void ia_verdicts_close(IaVerdicts *v);

/* plan_hooks.c */
extern void ia_planning_collect_relations(List **sink);

#endif							/* IA_VERDICTS_H */
