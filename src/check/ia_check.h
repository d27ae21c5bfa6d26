/*-------------------------------------------------------------------------
 *
 * ia_check.h
 *		What src/check/ offers the other folders: the folder's one public
 *		header.  A file outside src/check/ includes this header and none
 *		of the folder's others (scripts/house.sh checks it).
 *
 * Its sections, each with its own comment: usage, verify, verdicts.
 * Private to src/check/: measure.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_CHECK_H
#define IA_CHECK_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"

/*-------------------------------------------------------------------------
 *
 * usage (a section of ia_check.h)
 *		idx_check / idx_report (usage.c): their settings, set up by _PG_init.
 *
 *-------------------------------------------------------------------------
 */

extern void ia_usage_init(void);

/*-------------------------------------------------------------------------
 *
 * verify (a section of ia_check.h)
 *		What the check of stored queries (src/check/verify_queries.c)
 *		offers the rest of index_advisor: plan the stored queries of a
 *		tracked index and say whether each plan uses that index.
 *
 * Caller's rules: be inside a transaction with an active snapshot (any
 * SQL-callable function is).  ia_verify_queries() opens and rolls back its
 * own subtransaction, switches to the role that asked for the index (and
 * to plan, to the role ia_planning_role() chooses) and to the search_path
 * stored with it, and restores all of that before returning.  A caller
 * that shows a plan or verdict to a role must first check that this role
 * has the privileges of the role that asked (has_privs_of_role).
 *
 *-------------------------------------------------------------------------
 */

/* What to plan: one history row of an index created through idx_apply. */
typedef struct IaVerifyTarget
{
	int64		id;				/* idx_history.id; 0 at idx_apply */
	Oid			role;			/* role_oid: the role that asked */
	const char *search_path;	/* the caller's search_path at idx_apply */
	Oid			indexoid;		/* InvalidOid when the index is gone */
	Oid			tableoid;		/* the index's table, when known */
	int			runs;			/* IA_VERIFY_ANALYZE: runs of each plan */
	TimestampTz deadline;		/* 0, or when this check's time (its share
								 * of index_advisor.check_total_timeout)
								 * runs out: queries not planned by then
								 * are "not checked" */
} IaVerifyTarget;

/* flags of ia_verify_queries() */
#define IA_VERIFY_EXPLAIN	0x01	/* fill plan with EXPLAIN text */
#define IA_VERIFY_HIDDEN	0x02	/* fill cost_without_index */
#define IA_VERIFY_RETHROW	0x04	/* re-raise errors instead of recording */
#define IA_VERIFY_APPLY		0x08	/* at idx_apply: "query N: " messages,
									 * no index_advisor.check_timeout */
#define IA_VERIFY_ANALYZE	0x10	/* execute a plain SELECT runs times with
									 * and without the index (measured) */

typedef struct IaQueryResult
{
	bool		ok;				/* planned without error */
	bool		not_checked;	/* !ok: the deadline came first; no verdict */
	bool		uses_index;
	Oid			planned_as;		/* the role the query was planned as */
	const char *scan;			/* "Index Scan", "Index Only Scan",
								 * "Bitmap Index Scan" or NULL */
	char	   *winner;			/* the scan of the table that was chosen,
								 * e.g. "Seq Scan on t"; NULL if none found */
	char	   *plan;			/* EXPLAIN text (IA_VERIFY_EXPLAIN) */
	double		total_cost;
	double		cost_without_index; /* = total_cost unless IA_VERIFY_HIDDEN
									 * and the index is used */
	double		time_ms;		/* IA_VERIFY_ANALYZE: median execution time */
	double		time_without_index_ms;	/* ... with the index hidden */
	char	   *measured;		/* what was measured, or "not measured: why" */
	char	   *error;			/* !ok: the error message */
	int			sqlerrcode;		/* !ok: its SQLSTATE */
} IaQueryResult;

extern void ia_verify_queries(const IaVerifyTarget *target, int n,
							  char **queries, int flags,
							  IaQueryResult *results);

/*-------------------------------------------------------------------------
 *
 * verdicts (a section of ia_check.h)
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

typedef struct IaVerdicts IaVerdicts;

extern IaVerdicts *ia_verdicts_open(Oid fn_oid, int64 *ids, int nids);
extern bool ia_verdicts_reuse(IaVerdicts *v, const IaVerifyTarget *target,
							  int n, char **queries, IaQueryResult *results);
extern void ia_verdicts_plan(IaVerdicts *v, const IaVerifyTarget *target,
							 int n, char **queries, IaQueryResult *results);
extern void ia_verdicts_close(IaVerdicts *v);

/* plan_hooks.c */
extern void ia_planning_collect_relations(List **sink);

#endif							/* IA_CHECK_H */
