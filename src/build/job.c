/*-------------------------------------------------------------------------
 *
 * job.c
 *		The steps of one job of a background worker, shared by the plain
 *		jobs (worker.c) and the partitioned ones (partition.c): short
 *		bookkeeping transactions, running statements top-level as the
 *		requesting role, finding and checking the job's index, dropping
 *		what a failed build left, recording the outcome.
 *
 * Everything here runs in a background worker, between transactions unless
 * said otherwise.  Memory comes from the one job context (ia_job_context()),
 * which the worker resets per job: CREATE/DROP INDEX CONCURRENTLY commit
 * and start transactions under our feet, so nothing may live in a
 * transaction context.  This file calls src/queue/, src/definition/ (parse trees),
 * gentle.c (the build's priority) and locks.c, never worker.c or
 * partition.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "storage/proc.h"
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
#include "utils/timestamp.h"

#include "index_advisor.h"
#include "ia_definition.h"
#include "ia_build.h"
#include "job.h"
#include "ia_queue.h"

/* the one memory context of a worker's jobs */
static MemoryContext job_cxt = NULL;

/* when the current job was claimed, and its id, for ia_debug_step() */
static TimestampTz job_t0 = 0;
static int64 debug_job_id = 0;

/*
 * ia_debug_step -- with log_min_messages at debug1 or below, log a step of
 * the current job with the time since ia_debug_start(): where the time
 * between a request and its valid index goes (bench/RESULTS.md, overhead).
 */
void
ia_debug_start(void)
{
	job_t0 = GetCurrentTimestamp();
}

void
ia_debug_step(int64 id, const char *what)
{
	if (message_level_is_interesting(DEBUG1))
		elog(DEBUG1, "index_advisor: history row " INT64_FORMAT ": %s at +%.1f ms",
			 id, what, (double) (GetCurrentTimestamp() - job_t0) / 1000.0);
}

/* The job context, created on first use in TopMemoryContext. */
MemoryContext
ia_job_context(void)
{
	if (job_cxt == NULL)
		job_cxt = AllocSetContextCreate(TopMemoryContext, "index_advisor job",
										ALLOCSET_DEFAULT_SIZES);
	return job_cxt;
}

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
	/* the statements commit as the server says (worker.c: the rest not) */
	set_setting(saved, "synchronous_commit",
				GetConfigOptionResetString("synchronous_commit"));
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
		ia_debug_step(debug_job_id, "table lock taken");
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
		ia_debug_step(debug_job_id, "planned");
		(void) PortalRun(portal, FETCH_ALL, true, true, receiver, receiver, &qc);
		ia_debug_step(debug_job_id, "statement run");
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
 * check_build_target -- in a transaction, before a create is built: the
 * schema-qualified table name of the row must still be the table recorded
 * (by OID) at idx_apply() time, and the index name must still be free (so
 * that whatever index of that name is found later was built by the worker).
 * Returns the error to record, or NULL.
 */
static ErrorData *
check_build_target(IaJob *job)
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
 * 'waiting' to 'building' if its target checks out (check_build_target)
 * and no cancel was asked; otherwise record it failed or cancelled in the
 * same transaction, so that a row is never left 'building' over an index
 * of its name that it did not build.  Returns whether to build.
 */
bool
ia_start_checked(IaJob *job)
{
	ErrorData  *edata = check_build_target(job);

	if (edata == NULL && ia_queue_start_build(job->id))
		return true;
	if (edata == NULL)
		edata = ia_make_error(ERRCODE_QUERY_CANCELED, "cancelled before the build started");
	ia_queue_finish(job, InvalidOid, edata, NULL);
	return false;
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
		debug_job_id = job->id;
		ia_debug_step(job->id, "as the requester");
		/*
		 * A cancel (idx_cancel) is taken only while the statements run.  A
		 * lock_timeout that fired while a record waited (held, like a
		 * cancel: the record waits on) is not the statements' to take.
		 */
		if (get_timeout_indicator(LOCK_TIMEOUT, true))
			QueryCancelPending = false;
		RESUME_CANCEL_INTERRUPTS();
		/* the row's priority, for the statements only (gentle.c) */
		ia_priority_apply(ia_build_priority());
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
	(void) ia_priority_restore();	/* before anything else runs */
	restore_requester(&saved);
	return edata;
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
 * ia_run_drop_statement -- DROP INDEX CONCURRENTLY of the index "indexoid" of
 * the job's table, under the name it has now (the row's name may be stale:
 * ALTER INDEX ... RENAME).  A partitioned index cannot be dropped
 * concurrently (PostgreSQL 15) and is dropped with a plain DROP INDEX,
 * which locks its tables briefly.  An index that is no longer an index of
 * the job's table is not dropped: the error says so.
 */
ErrorData *
ia_run_drop_statement(IaJob *job, Oid indexoid)
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
 * ia_queue_finish() records (0.2) for the worker to retry.
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

	edata = ia_run_drop_statement(job, indexoid);
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
