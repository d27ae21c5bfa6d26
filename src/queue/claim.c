/*-------------------------------------------------------------------------
 *
 * claim.c
 *		The worker's side of the queue: the start rule, claiming a row,
 *		recording how its job went, the parts of a partitioned build.
 *
 * Design: a worker claims a committed row that may start now by the start
 * rule (idx_startable() in SQL, written once: queued or waiting to start, its
 * not_before passed, the server-wide conditions of gentle.c holding, no
 * other operation in progress on its table, its role under its share),
 * from the role with the fewest operations running, oldest first (FOR
 * UPDATE SKIP LOCKED, and claims serialised by a lock no SQL session can
 * take, see ia_queue.h, so that two workers never take two rows of one
 * table).  The worker holds a lock on the row it runs; a running row whose
 * lock is free has no worker (ia_queue_claim_stale).  Every statement runs
 * through ia_history_exec (history.c).
 *
 * Caller's rules: a worker's transaction with an active snapshot;
 * ia_queue_set_schema() called first.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "ia_queue.h"
#include "queue_internal.h"

static char *start_rule_0_1(void);

/*
 * stale_candidates -- ids of the rows 'waiting' or 'building' (not rows
 * waiting to start, which no worker took, nor parts of a partitioned
 * build: their parent's worker answers for them), oldest
 * first, into "ids" (in the caller's context).
 */
static List *
stale_candidates(void)
{
	List	   *ids = NIL;

	(void) ia_history_exec(psprintf("SELECT id FROM %s h"
				 " WHERE h.status OPERATOR(pg_catalog.=) ANY (" IA_SQL_RUNNING ")"
				 "   AND NOT %s AND h.parent_id IS NULL ORDER BY h.id",
				 ia_quoted_history(), ia_sql_waits_to_start("h")),
						   0, NULL, NULL, NULL, HX_READ_ONLY,
						   ia_read_int8_list, &ids);
	return ids;
}

/*
 * startable_sql -- the start rule as a FROM item: the rows that can start
 * now, columns (id, role_running), with $1 the per-role share and $2
 * whether the gate is open (ia_start_gate() found no reason).  The claim
 * takes its next row from it; ia_queue_pending() counts it.  The rule is
 * written once, in SQL: idx_startable() (src/update/0.1--0.2/09_queue.sql,
 * which says what it is).  The worker that takes a row also holds one of
 * max_workers slots of the database and one of server_max_workers slots of
 * the server (worker.c, acquire_slots).
 *
 * A database still at 0.1 has no idx_startable(): there, start_rule_0_1.
 */
static char *
startable_sql(void)
{
	if (ia_catalog_version() < 2)
		return start_rule_0_1();
	return psprintf("%s($1, $2)",
					quote_qualified_identifier(get_namespace_name(ia_queue_schema()),
											   "idx_startable"));
}

/*
 * start_rule_0_1 -- idx_startable() for a database still at 0.1, between
 * the install of this library and ALTER EXTENSION index_advisor UPDATE:
 * the same rule without rows waiting to start (0.1 has no wait_reason
 * column, and ia_queue_defer leaves 0.1 rows 'queued').  Kept, rather than
 * refusing to claim there, because the package is installed before each
 * database is updated, and a request queued at 0.1 (idx_apply keeps
 * working there, doc/upgrading.md) must not wait for that update to be
 * built.  Frozen like index_advisor--0.1.sql: a change to the start rule
 * goes into idx_startable(); this goes when 0.1 catalogs are no longer
 * served.  test/t/065_upgrade.pl builds through it.
 */
static char *
start_rule_0_1(void)
{
	return psprintf("(WITH running AS ("
					"  SELECT r.role_oid, r.table_oid, r.parent_id FROM %1$s r"
					"   WHERE r.status OPERATOR(pg_catalog.=) ANY (" IA_SQL_RUNNING ")),"
					" per_role AS ("
					"  SELECT r.role_oid, pg_catalog.count(*) AS n FROM running r"
					"   WHERE r.parent_id IS NULL GROUP BY r.role_oid)"
					" SELECT h.id, COALESCE(c.n, 0) AS role_running FROM %1$s h"
					"   LEFT JOIN per_role c ON c.role_oid OPERATOR(pg_catalog.=) h.role_oid"
					"  WHERE $2 AND h.parent_id IS NULL"
					"    AND h.status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_QUEUED)
					"    AND (h.not_before IS NULL OR h.not_before OPERATOR(pg_catalog.<=) pg_catalog.clock_timestamp())"
					"    AND NOT EXISTS (SELECT 1 FROM running r WHERE r.table_oid OPERATOR(pg_catalog.=) h.table_oid)"
					"    AND (COALESCE(c.n, 0) OPERATOR(pg_catalog.<) $1"
					"         OR (SELECT a.rolsuper FROM pg_catalog.pg_roles a"
					"              WHERE a.oid OPERATOR(pg_catalog.=) h.role_oid)))",
					ia_quoted_history());
}

/* A reader: ia_queue_pending's counts (int[3]: queued, eligible, next_ms). */
static void
read_pending(HeapTuple tup, TupleDesc desc, void *arg)
{
	int		   *counts = arg;
	bool		isnull;
	Datum		d;

	counts[0] = (int) DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	counts[1] = (int) DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
	d = SPI_getbinval(tup, desc, 3, &isnull);
	counts[2] = isnull ? -1 : DatumGetInt32(d);
}

/*
 * ia_queue_pending -- by the start rule, with "per_role" and the gate
 * open or not: how many top-level rows have not started (queued or
 * deferred), how many of those can start now, how many are running with no
 * live worker behind them (left by a crash or a kill: no worker holds their
 * row lock), and in how many ms the next not_before is due (-1: none).
 */
void
ia_queue_pending(int per_role, bool gate_open, int *queued, int *stale,
				 int *eligible, int *next_ms)
{
	List	   *ids;
	ListCell   *lc;
	Oid			types[2] = {INT4OID, BOOLOID};
	Datum		values[2];
	int			counts[3];

	values[0] = Int32GetDatum(per_role);
	values[1] = BoolGetDatum(gate_open);
	(void) ia_history_exec(psprintf("SELECT pg_catalog.count(*),"
				 "  (SELECT pg_catalog.count(*) FROM %2$s e),"
				 "  (pg_catalog.ceil(pg_catalog.date_part('epoch', pg_catalog.min(h.not_before)"
				 "    FILTER (WHERE h.not_before OPERATOR(pg_catalog.>) pg_catalog.clock_timestamp())"
				 "    OPERATOR(pg_catalog.-) pg_catalog.clock_timestamp()) OPERATOR(pg_catalog.*) 1000))::integer"
				 " FROM %1$s h WHERE h.parent_id IS NULL"
				 "   AND (h.status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_QUEUED) " OR %3$s)",
				 ia_quoted_history(), startable_sql(), ia_sql_waits_to_start("h")),
						   2, types, values, NULL, HX_READ_ONLY,
						   read_pending, counts);
	*queued = counts[0];
	*eligible = counts[1];
	*next_ms = counts[2];

	*stale = 0;
	ids = stale_candidates();
	foreach(lc, ids)
		if (!ia_row_has_worker(*(int64 *) lfirst(lc)))
			(*stale)++;
}

/*
 * ia_queue_defer -- (0.2; nothing on 0.1) say on every row that has not
 * started why it may not start yet: 'waiting' with wait_reason "not before
 * ..." (idx_apply's not_before to come) or "reason" (the server-wide
 * conditions, ia_start_gate; NULL when they hold), and back to 'queued'
 * once neither holds.  Rows whose state is unchanged are not written.
 * Called by a worker that found nothing to claim, under the claim lock.
 */
void
ia_queue_defer(const char *reason)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1];
	char		nulls[1] = {' '};

	if (ia_catalog_version() < 2)
		return;
	values[0] = reason ? CStringGetTextDatum(reason) : (Datum) 0;
	nulls[0] = reason ? ' ' : 'n';
	(void) ia_history_exec(psprintf("UPDATE %1$s h SET wait_reason = x.reason,"
				 "  status = CASE WHEN x.reason IS NULL THEN " IA_SQL(IA_S_QUEUED) " ELSE " IA_SQL(IA_S_WAITING) " END"
				 " FROM (SELECT d.id, CASE"
				 "         WHEN d.attempts OPERATOR(pg_catalog.=) 0"
				 "          AND d.not_before OPERATOR(pg_catalog.>) pg_catalog.clock_timestamp()"
				 "         THEN 'not before ' OPERATOR(pg_catalog.||)"
				 "              pg_catalog.to_char(d.not_before, 'YYYY-MM-DD HH24:MI:SSOF')"
				 "         ELSE $1 END AS reason"
				 "        FROM %1$s d"
				 "       WHERE d.status OPERATOR(pg_catalog.=) ANY (" IA_SQL_UNSTARTED ")) x"
				 " WHERE h.id OPERATOR(pg_catalog.=) x.id AND h.parent_id IS NULL"
				 "   AND (h.status OPERATOR(pg_catalog.=) " IA_SQL(IA_S_QUEUED) " OR %2$s)"
				 "   AND COALESCE(h.wait_reason, '') OPERATOR(pg_catalog.<>) COALESCE(x.reason, '')",
				 ia_quoted_history(), ia_sql_waits_to_start("h")),
						   1, types, values, nulls, 0, NULL, NULL);
}

/* Fill an IaJob from an SPI row (columns as in JOB_COLUMNS), in cxt. */

IaJob *
ia_job_from_tuple(HeapTuple tup, TupleDesc desc, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	IaJob	   *job = palloc0(sizeof(IaJob));
	bool		isnull;
	Datum		d;

	job->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
	job->is_drop = strcmp(SPI_getvalue(tup, desc, 2), "drop") == 0;
	job->schema_name = SPI_getvalue(tup, desc, 3);
	job->table_name = SPI_getvalue(tup, desc, 4);
	job->index_name = SPI_getvalue(tup, desc, 5);
	job->definition = SPI_getvalue(tup, desc, 6);
	d = SPI_getbinval(tup, desc, 7, &isnull);
	job->table_oid = isnull ? InvalidOid : DatumGetObjectId(d);
	job->role_oid = DatumGetObjectId(SPI_getbinval(tup, desc, 8, &isnull));
	job->search_path = SPI_getvalue(tup, desc, 9);
	d = SPI_getbinval(tup, desc, 10, &isnull);
	if (!isnull)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false,
						  TYPALIGN_INT, &elems, &nulls, &n);
		for (int i = 0; i < n; i++)
			if (!nulls[i])
				job->settings = lappend(job->settings, TextDatumGetCString(elems[i]));
	}
	d = SPI_getbinval(tup, desc, 11, &isnull);
	job->reverts = isnull ? 0 : DatumGetInt64(d);
	job->status = ia_status_from_name(SPI_getvalue(tup, desc, 12));
	d = SPI_getbinval(tup, desc, 13, &isnull);
	job->parent_id = isnull ? 0 : DatumGetInt64(d);
	d = SPI_getbinval(tup, desc, 14, &isnull);
	job->index_oid = isnull ? InvalidOid : DatumGetObjectId(d);
	MemoryContextSwitchTo(old);
	return job;
}

/* A reader: the IaJob of the row into *(IaJob **) arg, in the current context. */
static void
read_job(HeapTuple tup, TupleDesc desc, void *arg)
{
	*(IaJob **) arg = ia_job_from_tuple(tup, desc, CurrentMemoryContext);
}

/* A reader: the IaJob of the row appended to the List ** arg. */
static void
read_job_list(HeapTuple tup, TupleDesc desc, void *arg)
{
	*(List **) arg = lappend(*(List **) arg,
							 ia_job_from_tuple(tup, desc, CurrentMemoryContext));
}

/*
 * in_context -- ia_history_exec of a statement that writes, its rows read
 * by "reader" into a pointer allocated in "cxt" (or NULL when no row).
 */
static void *
in_context(MemoryContext cxt, const char *sql, int nargs, Oid *types,
		   Datum *values, IaRowReader reader)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	void	   *result = NULL;

	(void) ia_history_exec(sql, nargs, types, values, NULL, 0, reader, &result);
	MemoryContextSwitchTo(old);
	return result;
}

/*
 * ia_queue_claim -- take the next job for this worker by the start rule
 * (startable_sql; "gate_open": ia_start_gate() found no reason), or NULL.  The
 * row moves to 'waiting' with this worker's pid, committed by the caller; the
 * worker holds the row's lock (ia_row_lock) from now until it records the
 * end of the job and calls ia_row_unlock.
 *
 * Fair shares: the row comes from the role with the fewest operations
 * running, oldest first; a role that is not a superuser never runs more
 * than "per_role" operations at once, so that the slots it cannot take
 * stay for the other roles, whatever its own builds wait for.
 */
IaJob *
ia_queue_claim(MemoryContext cxt, int per_role, bool gate_open)
{
	IaJob	   *job = NULL;
	Oid			types[2] = {INT4OID, BOOLOID};
	Datum		values[2];
	char	   *sql;

	ia_claim_lock();			/* one claimer at a time in this database */
	values[0] = Int32GetDatum(per_role);
	values[1] = BoolGetDatum(gate_open);
	sql = psprintf("WITH next AS ("
				   "  SELECT h.id FROM %1$s h JOIN %3$s e ON e.id OPERATOR(pg_catalog.=) h.id"
				   "   ORDER BY e.role_running, h.id LIMIT 1 FOR UPDATE OF h SKIP LOCKED)"
				   " UPDATE %1$s u SET status = " IA_SQL(IA_S_WAITING) ", worker_pid = pg_catalog.pg_backend_pid(),"
				   "        started_at = pg_catalog.clock_timestamp(), attempts = u.attempts + 1%2$s"
				   "   FROM next WHERE u.id OPERATOR(pg_catalog.=) next.id"
				   " RETURNING u." JOB_COLUMNS,
				   ia_quoted_history(),
				   ia_catalog_version() >= 2 ? ", wait_reason = NULL" : "",
				   startable_sql());
	job = in_context(cxt, sql, 2, types, values, read_job);
	if (job != NULL)
		(void) ia_row_lock(job->id, true);
	return job;
}

/*
 * ia_queue_claim_stale -- take a row left 'waiting' or 'building' by a
 * worker that is gone (crash, kill): one whose row lock this worker can
 * take, and keeps, so that its leftover can be dropped.
 */
IaJob *
ia_queue_claim_stale(MemoryContext cxt)
{
	List	   *ids = stale_candidates();
	ListCell   *lc;
	IaJob	   *job = NULL;

	foreach(lc, ids)
	{
		int64		id = *(int64 *) lfirst(lc);
		Oid			types[1] = {INT8OID};
		Datum		values[1];

		if (!ia_row_lock(id, false))
			continue;			/* its worker is alive */
		values[0] = Int64GetDatum(id);
		job = in_context(cxt, ia_history_sql("WITH stale AS ("
			  "  SELECT h.id FROM %1$s h WHERE h.id OPERATOR(pg_catalog.=) $1"
			  "     AND h.status OPERATOR(pg_catalog.=) ANY (" IA_SQL_RUNNING ")"
			  "   FOR UPDATE SKIP LOCKED)"
			  " UPDATE %1$s u SET worker_pid = pg_catalog.pg_backend_pid(),"
			  "        started_at = pg_catalog.clock_timestamp()"
			  "   FROM stale WHERE u.id OPERATOR(pg_catalog.=) stale.id"
			  " RETURNING u." JOB_COLUMNS),
						 1, types, values, read_job);
		if (job != NULL)
			break;
		ia_row_unlock(id);		/* it ended meanwhile */
	}
	return job;
}

/*
 * 0.2: the table's write counters (for the write cost of an index,
 * 82_write_cost.sql idx_report_write_cost), as a jsonb value.
 */
#define IA_TABLE_WRITES \
	"pg_catalog.jsonb_build_object('at', pg_catalog.now()," \
	" 'ins', pg_catalog.pg_stat_get_tuples_inserted(table_oid)," \
	" 'upd', pg_catalog.pg_stat_get_tuples_updated(table_oid)," \
	" 'hot', pg_catalog.pg_stat_get_tuples_hot_updated(table_oid)," \
	" 'del', pg_catalog.pg_stat_get_tuples_deleted(table_oid))"

/* ia_queue_start_build -- 'waiting' -> 'building', unless cancelled. */
bool
ia_queue_start_build(int64 id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	bool		v2 = ia_catalog_version() >= 2;

	values[0] = Int64GetDatum(id);
	return ia_history_exec(psprintf("UPDATE %s SET status = " IA_SQL(IA_S_BUILDING) "%s"
				 " WHERE id OPERATOR(pg_catalog.=) $1 AND NOT cancel_requested",
				 ia_quoted_history(),
				 v2 ? ", table_writes = pg_catalog.jsonb_build_object('before', " IA_TABLE_WRITES ")" : ""),
						   1, types, values, NULL, 0, NULL, NULL) > 0;
}

/*
 * ia_queue_finish -- record the end of a job: done (with the index's
 * definition and size, and with 0.2 commit_lsn, a WAL position past the
 * build's last commit, for idx_wait(replayed => true)), or failed/cancelled
 * with the error.
 */
void
ia_queue_finish(IaJob *job, Oid indexoid, ErrorData *edata, const char *extra)
{
	Oid			types[7] = {INT8OID, OIDOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, OIDOID};
	Datum		values[7];
	char		nulls[7];
	bool		v2 = ia_catalog_version() >= 2;

	memset(nulls, ' ', sizeof(nulls));
	values[6] = ObjectIdGetDatum(job->leftover_oid);
	nulls[6] = OidIsValid(job->leftover_oid) ? ' ' : 'n';
	values[0] = Int64GetDatum(job->id);
	values[1] = ObjectIdGetDatum(indexoid);
	nulls[1] = OidIsValid(indexoid) ? ' ' : 'n';
	if (edata)
	{
		char	   *detail = edata->detail;

		if (extra)
			detail = detail ? psprintf("%s %s", detail, extra) : (char *) extra;
		values[2] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
		values[3] = CStringGetTextDatum(edata->message ? edata->message : "unknown error");
		values[4] = detail ? CStringGetTextDatum(detail) : (Datum) 0;
		nulls[4] = detail ? ' ' : 'n';
	}
	else
	{
		nulls[2] = nulls[3] = nulls[4] = 'n';
		values[2] = values[3] = values[4] = (Datum) 0;
	}
	values[5] = Int64GetDatum(job->reverts);
	nulls[5] = job->reverts ? ' ' : 'n';

	if (edata == NULL && !job->is_drop)
		(void) ia_history_exec(psprintf("UPDATE %s SET status = " IA_SQL(IA_S_DONE) ", finished_at = pg_catalog.clock_timestamp(),"
					 " index_oid = $2, indexdef = pg_catalog.pg_get_indexdef($2),"
					 " index_size = COALESCE((SELECT pg_catalog.sum(pg_catalog.pg_relation_size(t.relid))"
					 "                 FROM pg_catalog.pg_partition_tree($2) t WHERE t.isleaf),"
					 "               pg_catalog.pg_relation_size($2)),"
					 " error_code = NULL, error_message = NULL, error_detail = NULL%s"
					 " WHERE id OPERATOR(pg_catalog.=) $1",
					 ia_quoted_history(),
					 v2 ? ", index_table_oid = table_oid::pg_catalog.oid,"
					 " commit_lsn = pg_catalog.pg_current_wal_lsn(),"
					 " table_writes = COALESCE(table_writes, '{}')"
					 " OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('valid', " IA_TABLE_WRITES ")" : ""),
							   7, types, values, nulls, 0, NULL, NULL);
	else if (edata == NULL)
	{
		(void) ia_history_exec(ia_history_sql("UPDATE %s SET status = " IA_SQL(IA_S_DONE) ", finished_at = pg_catalog.clock_timestamp()"
											  " WHERE id OPERATOR(pg_catalog.=) $1"),
							   7, types, values, nulls, 0, NULL, NULL);
		(void) ia_history_exec(ia_history_sql("UPDATE %s SET status = " IA_SQL(IA_S_ROLLED_BACK)
											  " WHERE id OPERATOR(pg_catalog.=) $6 OR parent_id OPERATOR(pg_catalog.=) $6"),
							   7, types, values, nulls, 0, NULL, NULL);
	}
	else
	{
		/*
		 * idx_cancel() flags the partitioned job's row and signals the worker
		 * before it commits: a part recorded in that instant would miss the
		 * flag and say 'failed'.  Wait for the flagging transaction (it holds
		 * the row locked) so that the parts read its outcome.
		 */
		if (job->parent_id != 0)
		{
			Oid			ptypes[1] = {INT8OID};
			Datum		pvalues[1] = {Int64GetDatum(job->parent_id)};

			(void) ia_history_exec(ia_history_sql("SELECT 1 FROM %s WHERE id OPERATOR(pg_catalog.=) $1 FOR SHARE"),
								   1, ptypes, pvalues, NULL, 0, NULL, NULL);
		}
		(void) ia_history_exec(psprintf("UPDATE %1$s u SET status = CASE WHEN u.cancel_requested OR EXISTS ("
					 "       SELECT 1 FROM %1$s p WHERE p.id OPERATOR(pg_catalog.=) u.parent_id"
					 "          AND p.cancel_requested) THEN " IA_SQL(IA_S_CANCELLED) " ELSE " IA_SQL(IA_S_FAILED) " END,"
					 " finished_at = pg_catalog.clock_timestamp(),"
					 " error_code = $3, error_message = $4, error_detail = $5%2$s"
					 " WHERE u.id OPERATOR(pg_catalog.=) $1",
					 ia_quoted_history(), v2 ? ", leftover_oid = $7" : ""),
							   7, types, values, nulls, 0, NULL, NULL);
	}
}

/*
 * ia_queue_retry -- a transient failure: keep the attempt's error in
 * attempt_errors and put the row back in the queue, not to be taken before
 * delay_ms from now.  Returns false (nothing done) if a cancel was asked.
 */
bool
ia_queue_retry(IaJob *job, ErrorData *edata, int delay_ms)
{
	Oid			types[4] = {INT8OID, TEXTOID, TEXTOID, INT4OID};
	Datum		values[4];

	values[0] = Int64GetDatum(job->id);
	values[1] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
	values[2] = CStringGetTextDatum(edata->message ? edata->message : "unknown error");
	values[3] = Int32GetDatum(delay_ms);
	return ia_history_exec(ia_history_sql("UPDATE %s SET status = " IA_SQL(IA_S_QUEUED) ", worker_pid = NULL,"
		  " not_before = pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+)"
		  "              pg_catalog.make_interval(secs => $4 OPERATOR(pg_catalog./) 1000.0),"
		  " attempt_errors = attempt_errors OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object("
		  "     'attempt', attempts, 'started_at', started_at,"
		  "     'failed_at', pg_catalog.clock_timestamp(),"
		  "     'error_code', $2, 'error_message', $3)"
		  " WHERE id OPERATOR(pg_catalog.=) $1 AND NOT cancel_requested"),
						   4, types, values, NULL, 0, NULL, NULL) > 0;
}

/* ia_queue_attempts -- how many times row "id" was taken by a worker. */
int
ia_queue_attempts(int64 id)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	int64		n = 0;

	values[0] = Int64GetDatum(id);
	(void) ia_history_exec(ia_history_sql("SELECT attempts::pg_catalog.int8 FROM %s WHERE id OPERATOR(pg_catalog.=) $1"),
						   1, types, values, NULL, HX_READ_ONLY, ia_read_int8, &n);
	return (int) n;
}

/*
 * ia_queue_add_part -- the row of one partition's index, built by the
 * worker of the partitioned table's row "parent" (never queued on its own).
 */
IaJob *
ia_queue_add_part(IaJob *parent, Oid relid, const char *schema_name,
				  const char *table_name, const char *index_name,
				  MemoryContext cxt)
{
	Oid			types[5] = {INT8OID, OIDOID, NAMEOID, NAMEOID, NAMEOID};
	Datum		values[5];

	values[0] = Int64GetDatum(parent->id);
	values[1] = ObjectIdGetDatum(relid);
	values[2] = DirectFunctionCall1(namein, CStringGetDatum(schema_name));
	values[3] = DirectFunctionCall1(namein, CStringGetDatum(table_name));
	values[4] = DirectFunctionCall1(namein, CStringGetDatum(index_name));
	return in_context(cxt, ia_history_sql("INSERT INTO %1$s (migration, operation, schema_name, table_name,"
		  " index_name, definition, queries, status, requested_by, requested_at,"
		  " started_at, worker_pid, attempts, table_oid, role_oid, login_role_oid,"
		  " search_path, build_settings, parent_id)"
		  " SELECT migration, 'create', $3, $4, $5, definition, queries, " IA_SQL(IA_S_BUILDING) ","
		  "        requested_by, requested_at, pg_catalog.clock_timestamp(),"
		  "        pg_catalog.pg_backend_pid(), 1, $2, role_oid, login_role_oid,"
		  "        search_path, build_settings, id"
		  "   FROM %1$s WHERE id OPERATOR(pg_catalog.=) $1"
		  " RETURNING " JOB_COLUMNS),
					  5, types, values, read_job);
}

/* ia_queue_parts -- the part rows of partitioned row "parent_id". */
List *
ia_queue_parts(int64 parent_id, MemoryContext cxt)
{
	Oid			types[1] = {INT8OID};
	Datum		values[1];
	List	   *parts = NIL;
	MemoryContext old = MemoryContextSwitchTo(cxt);

	values[0] = Int64GetDatum(parent_id);
	(void) ia_history_exec(ia_history_sql("SELECT " JOB_COLUMNS " FROM %s WHERE parent_id OPERATOR(pg_catalog.=) $1 ORDER BY id"),
						   1, types, values, NULL, HX_READ_ONLY,
						   read_job_list, &parts);
	MemoryContextSwitchTo(old);
	return parts;
}

/* A reader: an IaJob with its leftover_oid appended to the List ** arg. */
static void
read_leftover(HeapTuple tup, TupleDesc desc, void *arg)
{
	IaJob	   *job = ia_job_from_tuple(tup, desc, CurrentMemoryContext);
	bool		isnull;

	job->leftover_oid = DatumGetObjectId(SPI_getbinval(tup, desc, 15, &isnull));
	*(List **) arg = lappend(*(List **) arg, job);
}

/*
 * ia_queue_leftovers -- at most "limit" ended rows whose INVALID leftover
 * could not be dropped (0.2; NIL on 0.1), oldest first, with leftover_oid.
 */
List *
ia_queue_leftovers(int limit, MemoryContext cxt)
{
	Oid			types[1] = {INT4OID};
	Datum		values[1];
	List	   *jobs = NIL;
	MemoryContext old;

	if (ia_catalog_version() < 2)
		return NIL;
	values[0] = Int32GetDatum(limit);
	old = MemoryContextSwitchTo(cxt);
	(void) ia_history_exec(ia_history_sql("SELECT " JOB_COLUMNS ", leftover_oid FROM %s"
		  " WHERE leftover_oid IS NOT NULL"
		  "   AND status OPERATOR(pg_catalog.=) ANY (" IA_SQL_UNBUILT ")"
		  " ORDER BY id LIMIT $1"),
						   1, types, values, NULL, HX_READ_ONLY,
						   read_leftover, &jobs);
	MemoryContextSwitchTo(old);
	return jobs;
}

/*
 * ia_queue_leftover_done -- the leftover of row "id" is gone: forget it, and
 * add "sentence" to the row's error_detail.
 */
void
ia_queue_leftover_done(int64 id, const char *sentence)
{
	Oid			types[2] = {INT8OID, TEXTOID};
	Datum		values[2];

	values[0] = Int64GetDatum(id);
	values[1] = CStringGetTextDatum(sentence);
	(void) ia_history_exec(ia_history_sql("UPDATE %s SET leftover_oid = NULL,"
										  " error_detail = pg_catalog.concat_ws(' ', error_detail, $2)"
										  " WHERE id OPERATOR(pg_catalog.=) $1"),
						   2, types, values, NULL, 0, NULL, NULL);
}
