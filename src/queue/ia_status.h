/*-------------------------------------------------------------------------
 *
 * ia_status.h
 *		The statuses of an idx_history row: the one definition in C.
 *
 * A row moves queued -> waiting -> building -> done | failed | cancelled,
 * and a done create becomes rolled_back once its index is dropped.  The
 * names below are the only spelling of a status in the C code: the enum
 * for C, the IA_S_* literals and IA_SQL_* sets for the fixed SQL statements
 * of queue.c (they must also run on a 0.1 catalog, which has no SQL
 * function to ask).  The SQL side defines the same statuses once as well:
 * the CHECK constraint of idx_history (0.1) and idx_status_live() (0.2,
 * src/update/0.1--0.2/05_status.sql); sql/status.sql fails if C and SQL
 * disagree (idx_statuses() exposes this list to SQL).  Every other SQL
 * object of the extension names a status as idx_status('done') (status.c),
 * which is this list's answer; sql/status.sql fails on a bare literal.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_STATUS_H
#define IA_STATUS_H

typedef enum IaStatus
{
	IA_QUEUED,					/* committed, no worker yet */
	IA_WAITING,					/* claimed; waiting for the caller / table */
	IA_BUILDING,				/* the CREATE/DROP INDEX CONCURRENTLY runs */
	IA_DONE,
	IA_FAILED,
	IA_CANCELLED,
	IA_ROLLED_BACK				/* a done create whose index was dropped */
} IaStatus;

#define IA_NUM_STATUSES (IA_ROLLED_BACK + 1)

/* the names, as stored in idx_history.status */
#define IA_S_QUEUED		"queued"
#define IA_S_WAITING	"waiting"
#define IA_S_BUILDING	"building"
#define IA_S_DONE		"done"
#define IA_S_FAILED		"failed"
#define IA_S_CANCELLED	"cancelled"
#define IA_S_ROLLED_BACK "rolled_back"

/* SQL literals for the fixed statements: one status, or a text[] of them */
#define IA_SQL(s)		"'" s "'"
/* live: a worker will act or is acting on the row (idx_status_live() in SQL) */
#define IA_SQL_LIVE		"'{" IA_S_QUEUED "," IA_S_WAITING "," IA_S_BUILDING "}'"
/* running: a worker has claimed the row */
#define IA_SQL_RUNNING	"'{" IA_S_WAITING "," IA_S_BUILDING "}'"
/* not started: queued, or waiting to start (a worker may still take it) */
#define IA_SQL_UNSTARTED	"'{" IA_S_QUEUED "," IA_S_WAITING "}'"
/* ended by the operation itself (rolled_back comes later, from a drop) */
#define IA_SQL_ENDED	"'{" IA_S_DONE "," IA_S_FAILED "," IA_S_CANCELLED "}'"
/* ended without an index */
#define IA_SQL_UNBUILT	"'{" IA_S_FAILED "," IA_S_CANCELLED "}'"

extern const char *ia_status_name(IaStatus status);
extern IaStatus ia_status_from_name(const char *name);
extern bool ia_status_is_live(IaStatus status);

#endif							/* IA_STATUS_H */
