/*-------------------------------------------------------------------------
 *
 * reads.c
 *		The relations a recorded statement reads: the autopilot's rule for
 *		"the statements of a table" (idx_autopilot_reads, SQL-callable;
 *		86_autopilot.sql's idx_autopilot_reads_table), which the validation
 *		(88), the drops (89), the proposals (87) and idx_hidden_statements
 *		(84) measure with.
 *
 * Design.  A statement of pg_stat_statements is one of a table's when the
 * table is among the relations it reads once parse-analysed and rewritten
 * as its author (pg_stat_statements' userid) would have it analysed:
 * views expanded (a statement on a view over the table counts, and so
 * does the view), SQL functions' bodies walked (the planner inlines
 * them), the partitions and children of what it reads, and the
 * partitioned tables of a partition it reads, added.  Never by its text:
 * a comment or a string that names the table, an alias or a column called
 * like it, is not a read.  The text is analysed as the advisor analyses
 * pg_stat_statements' texts: first through plan_prepared.c's
 * ia_prepare_reads (normalised.c's ia_normalised_text: "interval $1" is
 * "$1::interval"; $n untyped, their types inferred), as the author, under
 * SECURITY_RESTRICTED_OPERATION, in a subtransaction that is rolled back,
 * with the search_path the caller gives (the cycle's: the owner's session
 * path less the schemas it does not trust, 87's
 * idx_autopilot_trusted_path).  Nothing is planned there, so no planning
 * role is needed: a statement that reads tables of two owners neither of
 * whom has the other's privileges still reads them.  When PostgreSQL
 * cannot type a $n ("now() - $1": 42725, 42883, 42P18), the advisor's own
 * way is tried next (normalised.c's ia_prepare_normalised: a type tried
 * per $n, each attempt an ia_prepare as the author), which needs the
 * planning role the advisor needs.
 *
 * A utility statement (DDL, SET, COPY, EXPLAIN, ...) reads nothing here:
 * an empty list.  A statement that cannot be analysed (its author is
 * gone, a name no longer resolves on that path, a $n no type fits) reads
 * nothing we know of: NULL, and it is one of no table's statements.  The
 * failures of the transaction are listed by idx_autopilot_reads_failures
 * (queryid, userid, SQLSTATE: never the message, which may quote another
 * role's text), which the cycle counts in a note.
 *
 * Cache.  A cycle asks about the same statement for every table and every
 * recommendation it measures: each (userid, queryid) is analysed once per
 * transaction (a cycle is one transaction), its text and search_path
 * compared so that a different one is analysed anew.  The cache lives in
 * TopTransactionContext and is known stale by the transaction's local id.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/partition.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "ia_autopilot.h"
#include "ia_plan.h"
#include "ia_advise.h"

PG_FUNCTION_INFO_V1(idx_autopilot_reads);
PG_FUNCTION_INFO_V1(idx_autopilot_reads_failures);

typedef struct ReadsKey
{
	Oid			userid;
	int64		queryid;
} ReadsKey;

typedef struct ReadsEntry
{
	ReadsKey	key;
	char	   *query;			/* the text analysed */
	char	   *path;			/* under this search_path */
	bool		done;			/* analysed or failed (not cut short) */
	bool		analysed;
	int			nrels;
	Oid		   *rels;
	int			sqlerrcode;		/* when not analysed */
} ReadsEntry;

static HTAB *reads_cache = NULL;
static LocalTransactionId reads_lxid = InvalidLocalTransactionId;

/* This transaction's cache (another transaction's went with its memory). */
static HTAB *
cache(void)
{
	HASHCTL		ctl;

	if (reads_cache != NULL && reads_lxid == MyProc->lxid)
		return reads_cache;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(ReadsKey);
	ctl.entrysize = sizeof(ReadsEntry);
	ctl.hcxt = TopTransactionContext;
	reads_cache = hash_create("index_advisor statement reads", 256, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	reads_lxid = MyProc->lxid;
	return reads_cache;
}

/* Is text one statement that is not a query or DML (raw parse only)? */
static bool
utility(const char *text)
{
	List	   *raw = raw_parser(text, RAW_PARSE_DEFAULT);
	Node	   *stmt;

	if (list_length(raw) != 1)
		return false;			/* the analysis says why */
	stmt = linitial_node(RawStmt, raw)->stmt;
	return !(IsA(stmt, SelectStmt) || IsA(stmt, InsertStmt) ||
			 IsA(stmt, UpdateStmt) || IsA(stmt, DeleteStmt) ||
			 IsA(stmt, MergeStmt));
}

/* relids with the partitions and children of each, and the partitioned
 * tables each partition belongs to (no lock: only OIDs are compared) */
static List *
expand(List *relids)
{
	List	   *rels = NIL;
	ListCell   *lc;

	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);

		rels = list_concat_unique_oid(rels,
									  find_all_inheritors(relid, NoLock, NULL));
		if (get_rel_relispartition(relid))
			rels = list_concat_unique_oid(rels, get_partition_ancestors(relid));
	}
	return rels;
}

/*
 * One analysis of e's text as its author, in a subtransaction of its own
 * (rolled back: no lock is kept): as it stands ($n types inferred), or,
 * "retyped", as the advisor prepares a statement whose $n PostgreSQL
 * cannot type (normalised.c: a type tried per $n, as its author, with the
 * planning role the advisor would need).  The relations (in the caller's
 * memory), or NIL and *code.
 */
static List *
attempt(ReadsEntry *e, const char *path, bool retyped, int *code)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *volatile rels = NIL;
	Oid			save_user;
	int			save_sec;

	GetUserIdAndSecContext(&save_user, &save_sec);
	ia_subxact_begin(caller);
	PG_TRY();
	{
		List	   *relids;
		char	   *text = ia_normalised_text(e->query);

		/* a utility statement (DDL, SET, ...) reads no table's rows */
		if (utility(text))
			relids = NIL;
		else if (!retyped)
			relids = ia_prepare_reads(text, e->key.userid, path, caller);
		else
		{
			char	   *planned;

			ia_become(e->key.userid, save_sec);
			(void) NewGUCNestLevel();
			(void) set_config_option("search_path", path, PGC_USERSET,
									 PGC_S_SESSION, GUC_ACTION_SAVE, true,
									 0, false);
			relids = ia_prepare_normalised(e->query, caller, &planned)->relids;
			SetUserIdAndSecContext(save_user, save_sec);
		}
		rels = expand(relids);
		ia_subxact_end(caller, owner, false);
	}
	PG_CATCH();
	{
		/* a real cancel is re-thrown: the cycle stops, as it must */
		ErrorData  *edata = ia_subxact_caught(caller, owner, true);

		*code = edata->sqlerrcode;
		FreeErrorData(edata);
		rels = NIL;
	}
	PG_END_TRY();
	return rels;
}

/* Analyse e->query as e's author into e (see the file header). */
static void
analyse(ReadsEntry *e, const char *path)
{
	MemoryContext keep = TopTransactionContext;
	List	   *rels;
	ListCell   *lc;
	int			code = 0;
	int			i = 0;

	e->analysed = false;
	e->nrels = 0;
	e->rels = NULL;
	if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(e->key.userid)))
	{
		e->sqlerrcode = ERRCODE_UNDEFINED_OBJECT;
		return;
	}
	rels = attempt(e, path, false, &code);
	if (code == ERRCODE_INDETERMINATE_DATATYPE ||
		code == ERRCODE_AMBIGUOUS_FUNCTION ||
		code == ERRCODE_UNDEFINED_FUNCTION)
	{
		code = 0;
		rels = attempt(e, path, true, &code);
	}
	if (code != 0)
	{
		e->sqlerrcode = code;
		return;
	}
	e->rels = MemoryContextAlloc(keep, sizeof(Oid) * (list_length(rels) + 1));
	foreach(lc, rels)
		e->rels[i++] = lfirst_oid(lc);
	e->nrels = i;
	e->analysed = true;
}

/*
 * idx_autopilot_reads(userid oid, queryid bigint, query text,
 * search_path text) RETURNS oid[] -- the relations the statement reads
 * (see the file header); NULL when it cannot be analysed.
 */
Datum
idx_autopilot_reads(PG_FUNCTION_ARGS)
{
	ReadsKey	key;
	char	   *query = text_to_cstring(PG_GETARG_TEXT_PP(2));
	char	   *path = text_to_cstring(PG_GETARG_TEXT_PP(3));
	ReadsEntry *e;
	bool		found;
	Datum	   *elems;

	memset(&key, 0, sizeof(key));
	key.userid = PG_GETARG_OID(0);
	key.queryid = PG_GETARG_INT64(1);
	e = hash_search(cache(), &key, HASH_ENTER, &found);
	if (!found || !e->done || strcmp(e->query, query) != 0 ||
		strcmp(e->path, path) != 0)
	{
		e->done = false;
		e->query = MemoryContextStrdup(TopTransactionContext, query);
		e->path = MemoryContextStrdup(TopTransactionContext, path);
		analyse(e, path);
		e->done = true;
	}
	if (!e->analysed)
		PG_RETURN_NULL();
	elems = palloc(sizeof(Datum) * (e->nrels + 1));
	for (int i = 0; i < e->nrels; i++)
		elems[i] = ObjectIdGetDatum(e->rels[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, e->nrels, OIDOID,
										  sizeof(Oid), true, TYPALIGN_INT));
}

/*
 * idx_autopilot_reads_failures() RETURNS TABLE(userid oid, queryid bigint,
 * sqlstate text) -- the statements this transaction could not analyse
 * (idx_autopilot_reads returned NULL).
 */
Datum
idx_autopilot_reads_failures(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HASH_SEQ_STATUS seq;
	ReadsEntry *e;

	InitMaterializedSRF(fcinfo, 0);
	if (reads_cache == NULL || reads_lxid != MyProc->lxid)
		return (Datum) 0;
	hash_seq_init(&seq, reads_cache);
	while ((e = hash_seq_search(&seq)) != NULL)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if (!e->done || e->analysed)
			continue;
		values[0] = ObjectIdGetDatum(e->key.userid);
		values[1] = Int64GetDatum(e->key.queryid);
		values[2] = CStringGetTextDatum(unpack_sql_state(e->sqlerrcode));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
