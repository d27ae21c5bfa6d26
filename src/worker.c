/*-------------------------------------------------------------------------
 *
 * worker.c
 *		The background worker that drains a database's queue: it runs
 *		CREATE INDEX CONCURRENTLY and DROP INDEX CONCURRENTLY as top-level
 *		statements, as the role that asked, and cleans up after failures.
 *
 * Life of a worker (doc/workers.md says it for users):
 *	1. Registered by idx_apply()/idx_rollback()/idx_kick() while a worker
 *	   slot is free, or by the launcher; no shared_preload_libraries needed.
 *	   It connects as the bootstrap superuser, whoever started it, with
 *	   READ COMMITTED forced and query cancel held (taken only while a
 *	   job's statements run).
 *	2. It takes one of index_advisor.max_workers slots of its database and
 *	   one of server_max_workers slots of the server (locks no SQL session
 *	   can take, ia_locks.h), or exits.  INVALID leftovers whose drop failed
 *	   earlier are retried, a few per worker (ia_retry_leftovers()).
 *	3. It claims jobs one at a time (fair shares per role, queue.c) and
 *	   holds the claimed row's lock until the job is recorded.  A row
 *	   'waiting'/'building' whose lock is free was left by a worker that
 *	   died, and is reconciled from the row's state and recorded OIDs
 *	   (reconcile()): a 'waiting' row built nothing and touches nothing; a
 *	   'building' one is done if its index became valid, else its INVALID
 *	   leftover is dropped and the row failed.
 *	4. A create is built only if its table's name is still the table
 *	   recorded by OID and its index name is still free (checked in the
 *	   transaction that moves it to 'building'); a drop drops the index
 *	   recorded by OID.  Each status change is a short transaction of its
 *	   own.  The statement itself is parsed, analysed and planned in a
 *	   memory context of the job (CIC commits and starts transactions under
 *	   our feet, so nothing may live in a transaction context) and run
 *	   through a portal with isTopLevel = true, as exec_simple_query() does.
 *	   While it runs, the worker's user id is the requesting role
 *	   (SetUserIdAndSecContext), with the search_path and build settings
 *	   captured with the request.
 *	5. Any error of a statement is caught, logged, copied, the transaction
 *	   aborted, the leftover INVALID index dropped concurrently (if that
 *	   fails, its OID is kept for step 2's retries), and SQLSTATE, message
 *	   and detail recorded.  An ERROR elsewhere reaches the top-level
 *	   sigsetjmp: logged, recorded, and the loop goes on.  FATAL (SIGTERM,
 *	   crash) ends the worker: step 3 of another cleans up.
 *	6. With the queue empty it lets go of its slots and looks again, first
 *	   for open transactions that queued rows (it waits for them, polling),
 *	   then for rows; it leaves only when there are neither.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>
#include <unistd.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_extension.h"
#include "catalog/indexing.h"
#include "utils/fmgroids.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"

#include "index_advisor.h"
#include "ia_locks.h"
#include "ia_queue.h"
#include "ia_worker.h"

PGDLLEXPORT void ia_worker_main(Datum arg);

static MemoryContext job_cxt = NULL;
static int	my_slot = -1;		/* of this database */
static int	my_server_slot = -1;	/* of the server */

/* the job whose row lock this worker holds, for the top-level recovery */
static IaJob *volatile current_job = NULL;
static volatile int64 locked_row = 0;

/* between polls while a transaction that queued rows is open: the first
 * nap, doubled twice while nothing comes */
#define IA_POLL_MS 200
static int	idle_naps = 0;

/* Settings applied around a job, and their values before. */
typedef struct SavedSettings
{
	List	   *names;
	List	   *values;
	Oid			save_userid;
	int			save_sec;
} SavedSettings;

void
ia_begin_txn(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
}

void
ia_end_txn(void)
{
	PopActiveSnapshot();
	CommitTransactionCommand();
	MemoryContextSwitchTo(job_cxt);
}

static void
set_setting(SavedSettings *saved, const char *name, const char *value)
{
	const char *old = GetConfigOption(name, false, false);
	MemoryContext oldcxt = MemoryContextSwitchTo(job_cxt);

	saved->names = lappend(saved->names, pstrdup(name));
	saved->values = lappend(saved->values, old ? pstrdup(old) : NULL);
	MemoryContextSwitchTo(oldcxt);
	(void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SET, true, 0, false);
}

/*
 * Become the requesting role, with its search_path and build settings.
 * The settings are set in a transaction of their own, which commits, so
 * that they outlive the transactions of the statement.
 */
static void
act_as_requester(IaJob *job, SavedSettings *saved)
{
	ListCell   *lc;

	ia_begin_txn();
	if (!OidIsValid(job->role_oid) ||
		!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(job->role_oid)))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("role %u that requested history row " INT64_FORMAT " no longer exists",
						job->role_oid, job->id)));
	set_setting(saved, "search_path", job->search_path);
	foreach(lc, job->settings)
	{
		char	   *setting = pstrdup((char *) lfirst(lc));
		char	   *eq = strchr(setting, '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		set_setting(saved, setting, eq + 1);
	}
	ia_end_txn();
	SetUserIdAndSecContext(job->role_oid,
						   saved->save_sec | SECURITY_LOCAL_USERID_CHANGE);
}

/* Undo act_as_requester(); called outside any transaction. */
static void
restore_requester(SavedSettings *saved)
{
	ListCell   *n,
			   *v;

	SetUserIdAndSecContext(saved->save_userid, saved->save_sec);
	forboth(n, saved->names, v, saved->values)
		(void) set_config_option((char *) lfirst(n), (char *) lfirst(v),
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SET, true, 0, false);
}

/*
 * run_toplevel -- run utility statements as exec_simple_query() would, as
 * top-level statements, all in one transaction (CREATE/DROP INDEX
 * CONCURRENTLY commit and start their own), with statement_timeout
 * enforced over the whole.  The table lock of a concurrent statement is
 * taken first without a snapshot (ia_wait_for_table_lock), so that a build
 * waiting for it holds up no other build.
 */
static void
run_toplevel(List *stmts, const char *sql, const char *activity)
{
	ListCell   *lc;

	pgstat_report_activity(STATE_RUNNING, activity);
	debug_query_string = sql;	/* shown by parallel workers of the build */
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (StatementTimeout > 0)
		enable_timeout_after(STATEMENT_TIMEOUT, StatementTimeout);

	foreach(lc, stmts)
	{
		Node	   *stmt = (Node *) lfirst(lc);
		RawStmt    *raw;
		List	   *querytrees;
		List	   *plantrees;
		Portal		portal;
		DestReceiver *receiver;
		QueryCompletion qc;

		MemoryContextSwitchTo(job_cxt);
		ia_wait_for_table_lock(stmt);
		raw = makeNode(RawStmt);
		raw->stmt = stmt;
		querytrees = pg_analyze_and_rewrite_fixedparams(raw, sql, NULL, 0, NULL);
		plantrees = pg_plan_queries(querytrees, sql, CURSOR_OPT_PARALLEL_OK, NULL);

		portal = CreatePortal("", true, true);
		portal->visible = false;
		PortalDefineQuery(portal, NULL, sql, CreateCommandTag(stmt), plantrees, NULL);
		PortalStart(portal, NULL, 0, InvalidSnapshot);
		receiver = CreateDestReceiver(DestNone);
		MemoryContextSwitchTo(job_cxt);
		(void) PortalRun(portal, FETCH_ALL, true, true, receiver, receiver, &qc);
		receiver->rDestroy(receiver);
		PortalDrop(portal, false);
		CommandCounterIncrement();
	}

	disable_timeout(STATEMENT_TIMEOUT, false);
	CommitTransactionCommand();
	MemoryContextSwitchTo(job_cxt);
	debug_query_string = NULL;
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* After an error: copy it, and get back to a clean state outside a txn. */
ErrorData *
ia_recover_from_error(void)
{
	ErrorData  *edata;

	HOLD_INTERRUPTS();
	MemoryContextSwitchTo(job_cxt);
	edata = CopyErrorData();
	EmitErrorReport();			/* the server log has every failure */
	FlushErrorState();
	disable_all_timeouts(false);
	QueryCancelPending = false;
	AbortCurrentTransaction();
	MemoryContextSwitchTo(job_cxt);
	debug_query_string = NULL;
	pgstat_report_activity(STATE_IDLE, NULL);
	RESUME_INTERRUPTS();
	return edata;
}

/* The index of that name on the job's table, and whether it is valid. */
Oid
ia_find_index(IaJob *job, bool *valid)
{
	Oid			nspid = get_namespace_oid(job->schema_name, true);
	Oid			indexoid;
	HeapTuple	tuple;

	*valid = false;
	if (!OidIsValid(nspid))
		return InvalidOid;
	indexoid = get_relname_relid(job->index_name, nspid);
	if (!OidIsValid(indexoid))
		return InvalidOid;
	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(tuple))
		return InvalidOid;
	if (((Form_pg_index) GETSTRUCT(tuple))->indrelid != job->table_oid)
		indexoid = InvalidOid;
	else
		*valid = ((Form_pg_index) GETSTRUCT(tuple))->indisvalid;
	ReleaseSysCache(tuple);
	return indexoid;
}

/*
 * ia_index_on_table -- whether "indexoid" is (still) an index of table
 * "tableoid"; *valid says whether it is valid.  Needs a transaction.
 */
bool
ia_index_on_table(Oid indexoid, Oid tableoid, bool *valid)
{
	HeapTuple	tuple;
	bool		ours = false;

	*valid = false;
	if (!OidIsValid(indexoid) || !OidIsValid(tableoid))
		return false;
	tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(tuple))
		return false;
	if (((Form_pg_index) GETSTRUCT(tuple))->indrelid == tableoid)
	{
		ours = true;
		*valid = ((Form_pg_index) GETSTRUCT(tuple))->indisvalid;
	}
	ReleaseSysCache(tuple);
	return ours;
}

/*
 * ia_check_build_target -- in a transaction, before a create is built: the
 * schema-qualified table name of the row must still be the table recorded
 * (by OID) at idx_apply() time, and the index name must still be free (so
 * that whatever index of that name is found later was built by the worker).
 * Returns the error to record, or NULL.
 */
ErrorData *
ia_check_build_target(IaJob *job)
{
	Oid			nspid = get_namespace_oid(job->schema_name, true);
	Oid			relid = OidIsValid(nspid) ? get_relname_relid(job->table_name, nspid) : InvalidOid;
	ErrorData  *edata;

	if (relid != job->table_oid || !OidIsValid(relid))
	{
		edata = ia_make_error(ERRCODE_UNDEFINED_TABLE,
							  psprintf("table \"%s.%s\" is no longer the table history row " INT64_FORMAT " was requested for",
									   job->schema_name, job->table_name, job->id));
		edata->detail = OidIsValid(relid) ?
			"The table was dropped and another one created under its name after idx_apply(); nothing was built." :
			"The table was dropped or renamed after idx_apply(); nothing was built.";
		edata->hint = "Apply the definition again.";
		return edata;
	}
	if (OidIsValid(get_relname_relid(job->index_name, nspid)))
	{
		edata = ia_make_error(ERRCODE_DUPLICATE_TABLE,
							  psprintf("relation \"%s.%s\" already exists",
									   job->schema_name, job->index_name));
		edata->detail = "It was created after idx_apply() and before the build started; index_advisor does not build over it, nor drop it.";
		edata->hint = "Apply the definition again under another name, or drop that relation first.";
		return edata;
	}
	return NULL;
}

/*
 * ia_start_checked -- in a transaction: move a claimed create from
 * 'waiting' to 'building' if its target checks out (ia_check_build_target)
 * and no cancel was asked; otherwise record it failed or cancelled in the
 * same transaction, so that a row is never left 'building' over an index
 * of its name that it did not build.  Returns whether to build.
 */
bool
ia_start_checked(IaJob *job)
{
	ErrorData  *edata = ia_check_build_target(job);

	if (edata == NULL && ia_queue_start_build(job->id))
		return true;
	if (edata == NULL)
		edata = ia_make_error(ERRCODE_QUERY_CANCELED, "cancelled before the build started");
	ia_queue_finish(job, InvalidOid, edata, NULL);
	return false;
}

/*
 * ia_build_create -- CREATE INDEX [CONCURRENTLY] for the job, rebuilt from
 * the definition as given and adjusted at tree level: the job's schema,
 * table and index name; ON ONLY when "only" (partitioned tables).
 */
Node *
ia_build_create(IaJob *job, bool concurrent, bool only)
{
	IndexStmt  *is = ia_parse_index_stmt(job->definition);

	is->concurrent = concurrent;
	is->if_not_exists = false;
	is->idxname = pstrdup(job->index_name);
	is->relation->schemaname = pstrdup(job->schema_name);
	is->relation->relname = pstrdup(job->table_name);
	is->relation->catalogname = NULL;
	is->relation->inh = !only;
	return (Node *) is;
}

/* ia_build_drop -- DROP INDEX [CONCURRENTLY] of the job's index. */
Node *
ia_build_drop(IaJob *job, bool concurrent)
{
	DropStmt   *ds = makeNode(DropStmt);

	ds->removeType = OBJECT_INDEX;
	ds->objects = list_make1(list_make2(makeString(pstrdup(job->schema_name)),
										makeString(pstrdup(job->index_name))));
	ds->behavior = DROP_RESTRICT;
	ds->missing_ok = false;
	ds->concurrent = concurrent;
	return (Node *) ds;
}

/*
 * ia_run_as_requester -- build statements with "build" and run them as
 * top-level statements, as the requesting role with the search_path and
 * build settings of its call.  Returns NULL, or the error they ended with,
 * the worker back outside any transaction.
 */
ErrorData *
ia_run_as_requester(IaJob *job, IaBuildFn build, void *arg)
{
	SavedSettings saved;
	ErrorData  *volatile edata = NULL;

	memset(&saved, 0, sizeof(saved));
	GetUserIdAndSecContext(&saved.save_userid, &saved.save_sec);

	PG_TRY();
	{
		List	   *stmts;
		const char *sql = NULL;

		MemoryContextSwitchTo(job_cxt);
		stmts = build(job, arg, &sql);
		act_as_requester(job, &saved);
		/*
		 * A cancel (idx_cancel) is taken only while the statements run.  A
		 * lock_timeout that fired while a record waited (held, like a
		 * cancel: the record waits on) is not the statements' to take.
		 */
		if (get_timeout_indicator(LOCK_TIMEOUT, true))
			QueryCancelPending = false;
		RESUME_CANCEL_INTERRUPTS();
		run_toplevel(stmts, sql,
					 psprintf("index_advisor " INT64_FORMAT ": %s", job->id, sql));
		HOLD_CANCEL_INTERRUPTS();
	}
	PG_CATCH();
	{
		edata = ia_recover_from_error();
		/* errfinish() zeroed the hold-off count: hold again */
		HOLD_CANCEL_INTERRUPTS();
	}
	PG_END_TRY();
	restore_requester(&saved);
	return edata;
}

static List *
build_create_concurrently(IaJob *job, void *arg, const char **sql)
{
	*sql = job->definition;
	return list_make1(ia_build_create(job, true, false));
}

/* What build_drop drops: an index by its current names. */
typedef struct DropTarget
{
	char	   *schema_name;
	char	   *index_name;
	bool		concurrent;
} DropTarget;

static List *
build_drop(IaJob *job, void *arg, const char **sql)
{
	DropTarget *target = (DropTarget *) arg;
	IaJob		named = *job;

	named.schema_name = target->schema_name;
	named.index_name = target->index_name;
	*sql = psprintf("DROP INDEX %s%s", target->concurrent ? "CONCURRENTLY " : "",
					quote_qualified_identifier(target->schema_name, target->index_name));
	return list_make1(ia_build_drop(&named, target->concurrent));
}

/*
 * run_drop_statement -- DROP INDEX CONCURRENTLY of the index "indexoid" of
 * the job's table, under the name it has now (the row's name may be stale:
 * ALTER INDEX ... RENAME).  A partitioned index cannot be dropped
 * concurrently (PostgreSQL 15) and is dropped with a plain DROP INDEX,
 * which locks its tables briefly.  An index that is no longer an index of
 * the job's table is not dropped: the error says so.
 */
static ErrorData *
run_drop_statement(IaJob *job, Oid indexoid)
{
	bool		valid;
	bool		ours;
	DropTarget	target;

	ia_begin_txn();
	ours = ia_index_on_table(indexoid, job->table_oid, &valid);
	if (ours)
	{
		/* the names must outlive this transaction */
		target.schema_name = MemoryContextStrdup(job_cxt,
												 get_namespace_name(get_rel_namespace(indexoid)));
		target.index_name = MemoryContextStrdup(job_cxt, get_rel_name(indexoid));
		target.concurrent = get_rel_relkind(indexoid) != RELKIND_PARTITIONED_INDEX;
	}
	ia_end_txn();
	if (!ours)
	{
		ErrorData  *edata = ia_make_error(ERRCODE_UNDEFINED_OBJECT,
										  psprintf("the index of history row " INT64_FORMAT " no longer exists",
												   job->id));

		edata->detail = "The index recorded by OID was dropped outside index_advisor; an index of the same name, if any, was left alone.";
		return edata;
	}
	return ia_run_as_requester(job, build_drop, &target);
}

/*
 * ia_drop_leftover -- drop the INVALID index a failed build left, unless the
 * index of that name existed before the build (then it is not ours).
 * Returns a sentence for the history's detail.  When the drop fails (a lock
 * timeout, say), the index is kept in job->leftover_oid, which
 * ia_queue_finish() records (0.2) for ia_retry_leftovers().
 */
const char *
ia_drop_leftover(IaJob *job, Oid preexisting)
{
	bool		valid;
	Oid			indexoid;
	const char *result = NULL;
	ErrorData  *edata;

	ia_begin_txn();
	indexoid = ia_find_index(job, &valid);
	ia_end_txn();
	if (!OidIsValid(indexoid) || indexoid == preexisting)
		return NULL;

	edata = run_drop_statement(job, indexoid);
	if (edata == NULL)
		result = valid ? "The index built was dropped." :
			"The INVALID index left by the build was dropped.";
	else
	{
		/* recorded with the row (0.2): the next worker tries again */
		job->leftover_oid = indexoid;
		result = psprintf("The INVALID index left by the build could not be dropped: %s",
						  edata->message);
	}
	return result;
}

void
ia_record(IaJob *job, Oid indexoid, ErrorData *edata, const char *extra)
{
	ia_begin_txn();
	ia_queue_finish(job, indexoid, edata, extra);
	ia_end_txn();
}

ErrorData *
ia_make_error(int sqlerrcode, const char *message)
{
	ErrorData  *edata = palloc0(sizeof(ErrorData));

	edata->sqlerrcode = sqlerrcode;
	edata->message = pstrdup(message);
	return edata;
}

/*
 * retry_later -- a deadlock, a lock timeout or a serialization failure is
 * retried up to index_advisor.max_retries times, after 1 s, 2 s, 4 s, ...
 * (at most a minute).  Returns whether the row went back to the queue.
 */
static bool
retry_later(IaJob *job, ErrorData *edata)
{
	int			attempts;
	int			delay_ms;
	bool		retried;

	if (edata->sqlerrcode != ERRCODE_T_R_DEADLOCK_DETECTED &&
		edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE &&
		edata->sqlerrcode != ERRCODE_T_R_SERIALIZATION_FAILURE)
		return false;
	ia_begin_txn();
	attempts = ia_queue_attempts(job->id);
	ia_end_txn();
	if (attempts > ia_max_retries())
		return false;
	delay_ms = Min(60000, 1000 << Min(attempts - 1, 6));
	ia_begin_txn();
	retried = ia_queue_retry(job, edata, delay_ms);
	ia_end_txn();
	if (retried)
		ereport(LOG,
				(errmsg("index_advisor: history row " INT64_FORMAT " failed on attempt %d and will be retried in %d ms: %s",
						job->id, attempts, delay_ms, edata->message)));
	return retried;
}

/* CREATE INDEX CONCURRENTLY for one 'create' row. */
static void
run_create(IaJob *job)
{
	Oid			preexisting;
	bool		valid;
	ErrorData  *edata;

	ia_begin_txn();
	if (!ia_start_checked(job))
	{
		ia_end_txn();
		return;
	}
	preexisting = ia_find_index(job, &valid);
	ia_end_txn();

	edata = ia_run_as_requester(job, build_create_concurrently, NULL);

	if (edata == NULL)
	{
		Oid			indexoid;

		ia_begin_txn();
		indexoid = ia_find_index(job, &valid);
		ia_end_txn();
		ia_record(job, indexoid, NULL, NULL);
	}
	else
	{
		const char *extra = ia_drop_leftover(job, preexisting);

		/* a retry would find its own leftover in the way: record it instead */
		if (OidIsValid(job->leftover_oid) || !retry_later(job, edata))
			ia_record(job, InvalidOid, edata, extra);
	}
}

/*
 * drop_target -- the index a 'drop' row drops: the OID idx_rollback()
 * recorded; a row queued by 0.1 code has none, and names its index.
 */
static Oid
drop_target(IaJob *job)
{
	bool		valid;
	Oid			indexoid = job->index_oid;

	if (!OidIsValid(indexoid))
	{
		ia_begin_txn();
		indexoid = ia_find_index(job, &valid);
		ia_end_txn();
	}
	return indexoid;
}

/* DROP INDEX CONCURRENTLY for one 'drop' row (idx_rollback). */
static void
run_drop(IaJob *job)
{
	ErrorData  *edata;
	bool		go;

	ia_begin_txn();
	go = ia_queue_start_build(job->id);
	ia_end_txn();
	if (!go)
	{
		ia_record(job, InvalidOid,
			   ia_make_error(ERRCODE_QUERY_CANCELED, "cancelled before the drop started"),
			   NULL);
		return;
	}
	edata = run_drop_statement(job, drop_target(job));
	if (edata == NULL || !retry_later(job, edata))
		ia_record(job, InvalidOid, edata, NULL);
}

/*
 * reconcile -- a row whose worker died: finish what can be known, from the
 * row's state and the OIDs it recorded.  A drop is run again if its index
 * (by OID) is still there.  A create left 'waiting' built nothing: it fails
 * and no index is touched (one of its name is someone else's).  A create
 * left 'building' started its build after checking that the name was free,
 * so an index of that name on the recorded table is its own: done if it
 * became valid, else dropped.
 */
static void
reconcile(IaJob *job)
{
	bool		valid = false;
	Oid			indexoid = InvalidOid;
	ErrorData  *edata;
	bool		building = strcmp(job->status, "building") == 0;

	if (job->is_drop)
	{
		indexoid = drop_target(job);
		ia_begin_txn();
		if (!ia_index_on_table(indexoid, job->table_oid, &valid))
			indexoid = InvalidOid;
		ia_end_txn();
		if (!OidIsValid(indexoid))
			ia_record(job, InvalidOid, NULL, NULL);
		else
			run_drop(job);
		return;
	}
	if (building)
	{
		ia_begin_txn();
		indexoid = ia_find_index(job, &valid);
		ia_end_txn();
	}
	if (OidIsValid(indexoid) && valid)
	{
		ia_record(job, indexoid, NULL, NULL);
		return;
	}
	edata = ia_make_error(ERRCODE_CRASH_SHUTDOWN,
					   "the worker running this operation ended unexpectedly");
	edata->detail = building ? "The server crashed or the worker was killed." :
		"The server crashed or the worker was killed before the build started; nothing was built.";
	ia_record(job, InvalidOid, edata,
		   OidIsValid(indexoid) ? ia_drop_leftover(job, InvalidOid) : NULL);
}

/*
 * ia_retry_leftovers -- drop, concurrently and as their requesters, the
 * INVALID leftovers that failed builds could not drop (0.2), at most
 * IA_LEFTOVERS_PER_PASS per call, so that a drop that keeps failing (a lock
 * that is never released) costs each worker a bounded wait.  Each leftover
 * is identified by the OID recorded and must still be an INVALID index of
 * the row's table; one that is gone (or valid: not a leftover any more) is
 * forgotten.  Each drop waits at most IA_LEFTOVER_LOCK_TIMEOUT_MS for a
 * lock (it overrides the row's own lock_timeout, being set after it).
 */
#define IA_LEFTOVERS_PER_PASS 3
#define IA_LEFTOVER_LOCK_TIMEOUT_MS 5000

void
ia_retry_leftovers(void)
{
	List	   *jobs;
	ListCell   *lc;

	MemoryContextReset(job_cxt);
	ia_begin_txn();
	jobs = ia_queue_leftovers(IA_LEFTOVERS_PER_PASS, job_cxt);
	ia_end_txn();
	foreach(lc, jobs)
	{
		IaJob	   *job = lfirst(lc);
		bool		valid;
		bool		ours;
		ErrorData  *edata = NULL;

		ia_begin_txn();
		ours = ia_index_on_table(job->leftover_oid, job->table_oid, &valid);
		ia_end_txn();
		/* never wait for a lock longer than the retry's share of the pass */
		job->settings = lappend(job->settings, psprintf("lock_timeout=%d",
														IA_LEFTOVER_LOCK_TIMEOUT_MS));
		if (ours && !valid)
			edata = run_drop_statement(job, job->leftover_oid);
		if (edata != NULL)
		{
			ereport(LOG,
					(errmsg("index_advisor: the INVALID index left by history row " INT64_FORMAT " could not be dropped again: %s",
							job->id, edata->message)));
			continue;
		}
		ia_begin_txn();
		ia_queue_leftover_done(job->id, ours && !valid ?
							   "It was dropped later, by a retry." :
							   "It was gone when a retry looked for it.");
		ia_end_txn();
	}
}

/*
 * One of max_workers slots of this database and one of server_max_workers
 * slots of the server, or false.  A session counting free slots holds one
 * for an instant: try again a little later before giving up.
 */
static bool
acquire_slots(void)
{
	for (int attempt = 0; attempt < 3; attempt++)
	{
		if (attempt > 0)
			pg_usleep(10000L);
		my_slot = ia_slot_acquire(MyDatabaseId, ia_max_workers());
		if (my_slot < 0)
			continue;
		my_server_slot = ia_slot_acquire(InvalidOid, ia_server_max_workers());
		if (my_server_slot >= 0)
			return true;
		ia_slot_release(MyDatabaseId, my_slot);
		my_slot = -1;
	}
	return false;
}

static void
release_slots(void)
{
	ia_slot_release(MyDatabaseId, my_slot);
	ia_slot_release(InvalidOid, my_server_slot);
	my_slot = my_server_slot = -1;
}

/* Claim and run one job (or reconcile a stale row); false if none. */
static bool
work_once(void)
{
	IaJob	   *job;
	bool		stale = false;

	MemoryContextReset(job_cxt);
	QueryCancelPending = false; /* a cancel meant for the job before */
	ia_begin_txn();
	job = ia_queue_claim_stale(job_cxt);
	if (job)
		stale = true;
	else
		job = ia_queue_claim(job_cxt, ia_max_workers_per_role());
	if (job != NULL)
	{
		locked_row = job->id;
		job->partitioned = get_rel_relkind(job->table_oid) == RELKIND_PARTITIONED_TABLE;
	}
	ia_end_txn();
	if (job == NULL)
		return false;

	current_job = job;
	idle_naps = 0;
	if (stale && job->partitioned && !job->is_drop)
		ia_reconcile_partitioned(job);
	else if (stale)
		reconcile(job);
	else if (job->is_drop)
		run_drop(job);
	else if (job->partitioned)
		ia_run_create_partitioned(job);
	else
		run_create(job);
	current_job = NULL;
	ia_row_unlock(job->id);
	locked_row = 0;
	(void) pgstat_report_stat(true);
	return true;
}

/*
 * recover_toplevel -- an ERROR escaped a job's own error handling (a
 * bookkeeping step failed): log it, get back outside any transaction, and
 * record it on the job's row when nothing was built; otherwise let go of
 * the row, which this worker then reconciles as any stale row.
 */
static void
recover_toplevel(Oid worker_userid)
{
	IaJob	   *job = current_job;
	ErrorData  *edata;
	static int	errors = 0;

	error_context_stack = NULL;
	edata = ia_recover_from_error();
	HOLD_CANCEL_INTERRUPTS();	/* errfinish() zeroed the count */
	SetUserIdAndSecContext(worker_userid, 0);
	current_job = NULL;
	if (++errors > 100)
		proc_exit(1);			/* something is badly wrong: leave */
	if (job != NULL && !job->partitioned)
	{
		bool		valid;
		Oid			indexoid;

		ia_begin_txn();
		indexoid = ia_find_index(job, &valid);
		ia_end_txn();
		if (!OidIsValid(indexoid))
			ia_record(job, InvalidOid, edata, NULL);
	}
	if (locked_row != 0)
		ia_row_unlock(locked_row);
	locked_row = 0;
}

/*
 * stay -- the queue looked empty: let go of the slots, then look again,
 * first for transactions that queued rows and are still open (this worker
 * waits for them), then, in a newer snapshot, for rows that could start.
 * Returns whether to go on, with the slots taken again.
 */
static bool
stay(void)
{
	bool		open;
	int			queued,
				stale,
				eligible,
				next_ms;
	long		nap;

	release_slots();
	StartTransactionCommand();
	open = ia_requests_open();
	CommitTransactionCommand();
	MemoryContextReset(job_cxt);
	ia_begin_txn();
	ia_queue_pending(&queued, &stale, &eligible, &next_ms);
	ia_end_txn();
	if (!open && eligible == 0 && stale == 0 && next_ms < 0)
		return false;
	/* all slots taken: their workers look again before they leave */
	if (!acquire_slots())
		return false;

	/*
	 * Nothing could be claimed just now (rows of a role at its share, or
	 * locked, or a retry due later): look again soon, and at least every
	 * second, for the rows of transactions that commit meanwhile.
	 */
	nap = IA_POLL_MS << Min(idle_naps, 2);	/* 200, 400, then 800 ms */
	if (!open && eligible == 0 && stale == 0)
		nap = Min(Max(next_ms, 10), 1000);
	idle_naps++;
	pgstat_report_activity(STATE_IDLE, NULL);
	(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					 nap, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
	CHECK_FOR_INTERRUPTS();
	return true;
}

/* The schema of the extension in this database, or InvalidOid. */
static Oid
extension_schema(void)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	Oid			nspid = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum(IA_NAME));
	rel = table_open(ExtensionRelationId, AccessShareLock);
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		nspid = ((Form_pg_extension) GETSTRUCT(tup))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return nspid;
}

/*
 * The worker's own session: READ COMMITTED and read-write whatever the
 * database or role sets (the claim relies on it), cancel held except while
 * a statement runs.
 */
static void
set_up_session(void)
{
	SetConfigOption("default_transaction_isolation", "read committed",
					PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("default_transaction_read_only", "off",
					PGC_SUSET, PGC_S_OVERRIDE);
	HOLD_CANCEL_INTERRUPTS();
	job_cxt = AllocSetContextCreate(TopMemoryContext, "index_advisor job",
									ALLOCSET_DEFAULT_SIZES);
}

/* Whether the extension is installed here; sets the queue's schema. */
static bool
find_extension(Oid nspid)
{
	StartTransactionCommand();
	if (!OidIsValid(nspid))
		nspid = extension_schema();
	if (!OidIsValid(nspid) || get_namespace_name(nspid) == NULL)
	{
		/* not installed here, or dropped meanwhile */
		CommitTransactionCommand();
		return false;
	}
	CommitTransactionCommand();
	ia_queue_set_schema(nspid);
	return true;
}

void
ia_worker_main(Datum arg)
{
	IaWorkerArgs args;
	sigjmp_buf	local_sigjmp_buf;
	bool		idle = false;

	memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	/* one trusted role for every worker; each job runs as its requester */
	BackgroundWorkerInitializeConnectionByOid(args.dboid, BOOTSTRAP_SUPERUSERID, 0);
	pgstat_report_appname(IA_WORKER_TYPE);
	set_up_session();

	if (!find_extension(args.nspid) || !acquire_slots())
		proc_exit(0);

	if (sigsetjmp(local_sigjmp_buf, 1) != 0)
	{
		recover_toplevel(BOOTSTRAP_SUPERUSERID);
		idle = false;
		/* the error may have come while stay() had let go of the slots */
		if (my_slot < 0 && !acquire_slots())
			proc_exit(0);
	}
	PG_exception_stack = &local_sigjmp_buf;

	ia_retry_leftovers();
	do
	{
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		idle = !work_once();
	} while (!idle || stay());
	release_slots();
	proc_exit(0);
}
