/*-------------------------------------------------------------------------
 *
 * verdicts.c
 *		The check's kept verdicts: idx_plan_summary() (idx_check,
 *		idx_report) reuses a row's EXPLAIN verdict while nothing it was
 *		planned from has changed, and plans the row again otherwise.
 *
 * Why.  A check plans every stored query of every tracked index; with
 * 1,000 tracked indexes of 3 queries each that was 72 % of idx_check() in
 * a new session (the planning, and the relcache entries of every index of
 * every planned table).  A verdict only changes when what the planner
 * reads changes, so a check where nothing changed need plan nothing.
 *
 * How.  A complete verdict (every query planned, none failed, none "not
 * checked") is kept in idx_verdicts (src/update/0.1--0.2/85_verdict_cache.sql)
 * with:
 *  - row_key: a hash of the row's own inputs (role, search_path, index,
 *    table, stored queries), computed here;
 *  - deps: the relations the plans depend on (each PlannedStmt's
 *    relationOids, collected by plan_hooks.c's ia_plan_one while the row is
 *    planned, and the index's table);
 *  - fingerprint: hashtextextended(idx_verdict_global() ||
 *    idx_verdict_states(deps)): the relations' catalog rows, sizes, columns,
 *    indexes, statistics and children, and what any plan may depend on
 *    (user functions and types, policies, role memberships, hidden indexes,
 *    the planner's and the extension's settings, ...).
 * One query at the start of a call reads the kept verdicts of the rows
 * asked for and whether each fingerprint still holds (idx_verdict_global()
 * once, idx_verdict_states() once for all rows: set-based, no function
 * call per row); its cost grows with the rows kept, not with planning.  A row that is planned again and is
 * complete is kept anew (verdicts of deleted history rows are pruned at
 * each check); one that is not (an error, no time left) loses
 * its kept verdict, so an error is never hidden behind an old verdict.
 *
 * What does not change for the user: a reused row yields the same
 * IaQueryResult fields idx_plan_summary() reads (ok, uses_index, scan,
 * winner); rows are still taken in plan_rows' order under the same bound
 * (index_advisor.check_total_timeout, a share per role: a reused row costs
 * no share), and only for a caller with the asking role's privileges
 * (checked before).  Changing index_advisor.* settings changes the
 * fingerprint, so a check under a new bound plans again.
 *
 * Who: the verdicts are read and written as the caller, only if it may
 * read pg_statistic, pg_statistic_ext_data and pg_authid (the fingerprint
 * reads them) and read and write idx_verdicts (idx_check, SECURITY
 * DEFINER, as the extension's owner); other callers (idx_report by a role)
 * plan as before.  Nothing is written in a read-only transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_statistic_ext_data.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "index_advisor.h"
#include "ia_check.h"

/* One kept verdict, as read at ia_verdicts_open(). */
typedef struct KeptVerdict
{
	int64		id;
	int64		row_key;
	bool		fresh;			/* its fingerprint still holds */
	int			n;
	bool	   *uses;
	char	  **scans;
	char	  **winners;
} KeptVerdict;

struct IaVerdicts
{
	char	   *nsp;			/* the extension's schema, quoted */
	char	   *global;			/* idx_verdict_global(), read once */
	bool		writable;
	int			nkept;
	KeptVerdict *kept;
	MemoryContext call_cxt;		/* the memory of the call (open) */
	SPIPlanPtr	keep_plan;		/* keep()'s INSERT, prepared once per call */
	MemoryContextCallback free_plan;	/* frees it with the call's memory */
	int			nnew;			/* rows kept in this call, their */
	int64	   *new_ids;		/* fingerprints set by ia_verdicts_close */
};

/* The kept verdict of row id, or NULL. */
static KeptVerdict *
find_kept(IaVerdicts *v, int64 id)
{
	for (int i = 0; i < v->nkept; i++)
		if (v->kept[i].id == id)
			return &v->kept[i];
	return NULL;
}

/* A hash of what the row itself says: who, where, which index, what. */
static int64
row_key(const IaVerifyTarget *target, int n, char **queries)
{
	StringInfoData buf;
	uint64		h;

	initStringInfo(&buf);
	appendStringInfo(&buf, "%u|%u|%u|%s", target->role, target->indexoid,
					 target->tableoid,
					 target->search_path ? target->search_path : "");
	for (int j = 0; j < n; j++)
	{
		appendStringInfoChar(&buf, '\0');
		appendStringInfoString(&buf, queries[j]);
	}
	h = DatumGetUInt64(hash_any_extended((unsigned char *) buf.data,
										 buf.len, 0));
	pfree(buf.data);
	return (int64) h;
}

/* The text elements of a one-dimensional array, in cxt (NULL for NULL). */
static char **
text_elems(Datum d, MemoryContext cxt, int *n)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Datum	   *elems;
	bool	   *nulls;
	char	  **out;

	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, &nulls, n);
	out = palloc0(sizeof(char *) * (*n + 1));
	for (int j = 0; j < *n; j++)
		out[j] = nulls[j] ? NULL : TextDatumGetCString(elems[j]);
	MemoryContextSwitchTo(old);
	return out;
}

/*
 * The fingerprint, written once: WITH items "p", "s" and "fp" (to follow
 * with a statement that reads fp) giving, for each history id of $1 (an
 * int8[]) that has a kept verdict, its fingerprint now (fp.id,
 * fp.fingerprint): hashtextextended($2, idx_verdict_global()'s text,
 * concatenated with idx_verdict_states() of the verdict's deps).  read_kept
 * compares it with the kept one, ia_verdicts_close stores it.  Its "%1$s"
 * is the extension's schema.
 */
#define FINGERPRINTS_NOW \
	"WITH p AS (SELECT pg_catalog.array_agg(v.history_id ORDER BY v.history_id, u.r) AS k," \
	"                  pg_catalog.array_agg(u.r ORDER BY v.history_id, u.r) AS r" \
	"             FROM %1$s.idx_verdicts v, pg_catalog.unnest(v.deps) u(r)" \
	"            WHERE v.history_id OPERATOR(pg_catalog.=) ANY ($1))," \
	" s AS (SELECT s.* FROM p, %1$s.idx_verdict_states(p.k, p.r) s)," \
	" fp AS (SELECT v.history_id AS id, pg_catalog.hashtextextended(" \
	"          $2 OPERATOR(pg_catalog.||) COALESCE(s.state, ''), 0) AS fingerprint" \
	"          FROM %1$s.idx_verdicts v LEFT JOIN s ON s.key OPERATOR(pg_catalog.=) v.history_id" \
	"         WHERE v.history_id OPERATOR(pg_catalog.=) ANY ($1))"

/* Read the kept verdicts of ids, and whether each fingerprint holds. */
static void
read_kept(IaVerdicts *v, int64 *ids, int nids, MemoryContext cxt)
{
	Datum	   *idd = palloc(sizeof(Datum) * (nids + 1));
	Oid			argtypes[2] = {INT8ARRAYOID, TEXTOID};
	Datum		args[2];
	char	   *sql;

	for (int i = 0; i < nids; i++)
		idd[i] = Int64GetDatum(ids[i]);
	args[0] = PointerGetDatum(construct_array(idd, nids, INT8OID, 8,
											  FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
	args[1] = CStringGetTextDatum(v->global);
	sql = psprintf(FINGERPRINTS_NOW
				   " SELECT v.history_id, v.row_key,"
				   "  v.fingerprint OPERATOR(pg_catalog.=) fp.fingerprint,"
				   "  v.uses_index, v.scans, v.winners"
				   " FROM %1$s.idx_verdicts v JOIN fp ON fp.id OPERATOR(pg_catalog.=) v.history_id",
				   v->nsp);
	if (SPI_execute_with_args(sql, 2, argtypes, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "index_advisor: reading idx_verdicts failed");

	v->nkept = (int) SPI_processed;
	v->kept = MemoryContextAllocZero(cxt, sizeof(KeptVerdict) * (v->nkept + 1));
	for (int i = 0; i < v->nkept; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		KeptVerdict *k = &v->kept[i];
		bool		isnull;
		Datum		d;
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		k->id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		k->row_key = DatumGetInt64(SPI_getbinval(tup, desc, 2, &isnull));
		d = SPI_getbinval(tup, desc, 3, &isnull);
		k->fresh = !isnull && DatumGetBool(d);
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 4, &isnull)),
						  BOOLOID, 1, true, TYPALIGN_CHAR, &elems, &nulls, &n);
		k->n = n;
		k->uses = MemoryContextAllocZero(cxt, sizeof(bool) * (n + 1));
		for (int j = 0; j < n; j++)
			k->uses[j] = !nulls[j] && DatumGetBool(elems[j]);
		k->scans = text_elems(SPI_getbinval(tup, desc, 5, &isnull), cxt, &n);
		if (n != k->n)
			k->fresh = false;
		k->winners = text_elems(SPI_getbinval(tup, desc, 6, &isnull), cxt, &n);
		if (n != k->n)
			k->fresh = false;
	}
}

/* Drop the verdicts whose history row is gone. */
static void
prune(IaVerdicts *v)
{
	char	   *sql = psprintf("DELETE FROM %s.idx_verdicts v WHERE NOT EXISTS"
							   " (SELECT FROM %s.idx_history h"
							   "   WHERE h.id OPERATOR(pg_catalog.=) v.history_id)",
							   v->nsp, v->nsp);

	if (SPI_execute(sql, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "index_advisor: pruning idx_verdicts failed");
}

/*
 * ia_verdicts_open -- the kept verdicts of the rows ids, or NULL when the
 * caller may not use them (then every row is planned, as before).
 */
IaVerdicts *
ia_verdicts_open(Oid fn_oid, int64 *ids, int nids)
{
	Oid			nspid = get_func_namespace(fn_oid);
	Oid			relid = get_relname_relid("idx_verdicts", nspid);
	IaVerdicts *v;

	if (!OidIsValid(relid) ||
		pg_class_aclcheck(relid, GetUserId(),
						  ACL_SELECT | ACL_INSERT | ACL_UPDATE | ACL_DELETE) != ACLCHECK_OK ||
		pg_class_aclcheck(StatisticRelationId, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
		pg_class_aclcheck(StatisticExtDataRelationId, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
		pg_class_aclcheck(AuthIdRelationId, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return NULL;

	v = palloc0(sizeof(IaVerdicts));
	v->new_ids = palloc0(sizeof(int64) * (nids + 1));
	v->call_cxt = CurrentMemoryContext;
	v->nsp = pstrdup(quote_identifier(get_namespace_name(nspid)));
	v->writable = !XactReadOnly && !RecoveryInProgress();
	{
		MemoryContext cxt = CurrentMemoryContext;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (SPI_execute(psprintf("SELECT %s.idx_verdict_global()", v->nsp),
						true, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "index_advisor: reading idx_verdict_global() failed");
		v->global = MemoryContextStrdup(cxt, SPI_getvalue(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc, 1));
		if (v->writable)
			prune(v);
		if (nids > 0)
			read_kept(v, ids, nids, cxt);
		SPI_finish();
	}
	return v;
}

/*
 * ia_verdicts_reuse -- fill results from the row's kept verdict if its
 * inputs and its fingerprint are unchanged; false otherwise.
 */
bool
ia_verdicts_reuse(IaVerdicts *v, const IaVerifyTarget *target, int n,
				  char **queries, IaQueryResult *results)
{
	KeptVerdict *k;

	if (v == NULL || (k = find_kept(v, target->id)) == NULL || !k->fresh ||
		k->n != n || k->row_key != row_key(target, n, queries))
		return false;
	for (int j = 0; j < n; j++)
	{
		results[j].ok = true;
		results[j].uses_index = k->uses[j];
		results[j].scan = k->scans[j];
		results[j].winner = k->winners[j];
	}
	return true;
}

/* A text[] of n strings, NULL elements for NULL. */
static Datum
text_array(int n, const char *const *strs)
{
	Datum	   *d = palloc0(sizeof(Datum) * (n + 1));
	bool	   *nulls = palloc0(sizeof(bool) * (n + 1));
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int j = 0; j < n; j++)
	{
		nulls[j] = strs[j] == NULL;
		if (!nulls[j])
			d[j] = CStringGetTextDatum(strs[j]);
	}
	return PointerGetDatum(construct_md_array(d, nulls, 1, dims, lbs, TEXTOID,
											  -1, false, TYPALIGN_INT));
}

static void prepare_keep(IaVerdicts *v, Oid *argtypes);

/*
 * Keep the complete verdict of a row planned from deps; its fingerprint is
 * set by ia_verdicts_close(), for all the rows kept at once (0 until then,
 * in the same statement).
 */
static void
keep(IaVerdicts *v, const IaVerifyTarget *target, int n, char **queries,
	 IaQueryResult *results, List *deps)
{
	Oid			argtypes[6] = {INT8OID, INT8OID, OIDARRAYOID, BOOLARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID};
	Datum		args[6];
	Datum	   *depd = palloc0(sizeof(Datum) * (list_length(deps) + 1));
	Datum	   *uses = palloc0(sizeof(Datum) * (n + 1));
	const char **scans = palloc0(sizeof(char *) * (n + 1));
	const char **winners = palloc0(sizeof(char *) * (n + 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, deps)
		depd[i++] = ObjectIdGetDatum(lfirst_oid(lc));
	for (int j = 0; j < n; j++)
	{
		uses[j] = BoolGetDatum(results[j].uses_index);
		scans[j] = results[j].scan;
		winners[j] = results[j].winner;
	}
	args[0] = Int64GetDatum(target->id);
	args[1] = Int64GetDatum(row_key(target, n, queries));
	args[2] = PointerGetDatum(construct_array(depd, i, OIDOID, sizeof(Oid),
											  true, TYPALIGN_INT));
	args[3] = PointerGetDatum(construct_array(uses, n, BOOLOID, 1, true,
											  TYPALIGN_CHAR));
	args[4] = text_array(n, scans);
	args[5] = text_array(n, winners);
	if (v->keep_plan == NULL)
		prepare_keep(v, argtypes);
	if (SPI_execute_plan(v->keep_plan, args, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "index_advisor: keeping a verdict failed");
	v->new_ids[v->nnew++] = target->id;
}

/* The call's memory goes: free keep()'s saved plan. */
static void
free_keep_plan(void *arg)
{
	IaVerdicts *v = (IaVerdicts *) arg;

	if (v->keep_plan != NULL)
		SPI_freeplan(v->keep_plan);
	v->keep_plan = NULL;
}

/* Prepare keep()'s INSERT once per call (inside an SPI connection). */
static void
prepare_keep(IaVerdicts *v, Oid *argtypes)
{
	char	   *sql;

	sql = psprintf("INSERT INTO %s.idx_verdicts AS o (history_id, row_key, deps,"
				   "   fingerprint, uses_index, scans, winners)"
				   " VALUES ($1, $2, $3, 0, $4, $5, $6)"
				   " ON CONFLICT (history_id) DO UPDATE SET row_key = EXCLUDED.row_key,"
				   "   deps = EXCLUDED.deps, fingerprint = EXCLUDED.fingerprint,"
				   "   uses_index = EXCLUDED.uses_index, scans = EXCLUDED.scans,"
				   "   winners = EXCLUDED.winners, planned_at = pg_catalog.now()",
				   v->nsp);
	v->keep_plan = SPI_prepare(sql, 6, argtypes);
	if (v->keep_plan == NULL || SPI_keepplan(v->keep_plan) != 0)
		elog(ERROR, "index_advisor: preparing to keep verdicts failed");
	v->free_plan.func = free_keep_plan;
	v->free_plan.arg = v;
	MemoryContextRegisterResetCallback(v->call_cxt, &v->free_plan);
}

/* Forget the kept verdict of row id (it was planned again, incomplete). */
static void
forget(IaVerdicts *v, int64 id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(id)};
	char	   *sql = psprintf("DELETE FROM %s.idx_verdicts"
							   " WHERE history_id OPERATOR(pg_catalog.=) $1",
							   v->nsp);

	if (SPI_execute_with_args(sql, 1, argtypes, args, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "index_advisor: forgetting a verdict failed");
}

static void keep_or_forget(IaVerdicts *v, const IaVerifyTarget *target, int n,
						   char **queries, IaQueryResult *results, List *deps);

/*
 * ia_verdicts_plan -- plan the row's queries (ia_verify_queries, flags 0,
 * as a check does) and keep the verdict if it is complete; forget the old
 * one if not.  v may be NULL: then only plan.
 */
void
ia_verdicts_plan(IaVerdicts *v, const IaVerifyTarget *target, int n,
				 char **queries, IaQueryResult *results)
{
	List	   *deps = NIL;

	if (v == NULL)
	{
		ia_verify_queries(target, n, queries, 0, results);
		return;
	}
	ia_planning_collect_relations(&deps);
	PG_TRY();
	{
		ia_verify_queries(target, n, queries, 0, results);
	}
	PG_FINALLY();
	{
		ia_planning_collect_relations(NULL);
	}
	PG_END_TRY();

	if (v->writable)
		keep_or_forget(v, target, n, queries, results, deps);
}

/* After planning: keep a complete verdict, forget the old one otherwise. */
static void
keep_or_forget(IaVerdicts *v, const IaVerifyTarget *target, int n,
			   char **queries, IaQueryResult *results, List *deps)
{
	bool		complete = true;

	for (int j = 0; j < n; j++)
		if (!results[j].ok || results[j].not_checked)
			complete = false;
	if (OidIsValid(target->tableoid))
		deps = list_append_unique_oid(deps, target->tableoid);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (complete)
		keep(v, target, n, queries, results, deps);
	else if (find_kept(v, target->id) != NULL)
		forget(v, target->id);
	SPI_finish();
}

/*
 * ia_verdicts_close -- set the fingerprints of the verdicts kept in this
 * call, in one statement (idx_verdict_states() once for all of them).
 */
void
ia_verdicts_close(IaVerdicts *v)
{
	Datum	   *idd;
	Oid			argtypes[2] = {INT8ARRAYOID, TEXTOID};
	Datum		args[2];
	char	   *sql;

	if (v == NULL || v->nnew == 0)
		return;
	idd = palloc(sizeof(Datum) * v->nnew);
	for (int i = 0; i < v->nnew; i++)
		idd[i] = Int64GetDatum(v->new_ids[i]);
	args[0] = PointerGetDatum(construct_array(idd, v->nnew, INT8OID, 8,
											  FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
	args[1] = CStringGetTextDatum(v->global);
	sql = psprintf(FINGERPRINTS_NOW
				   " UPDATE %1$s.idx_verdicts o SET fingerprint = fp.fingerprint"
				   " FROM fp WHERE o.history_id OPERATOR(pg_catalog.=) fp.id",
				   v->nsp);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, 2, argtypes, args, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "index_advisor: fingerprinting the kept verdicts failed");
	SPI_finish();
	v->nnew = 0;
}
