/*-------------------------------------------------------------------------
 *
 * resolve.c
 *		Parse, validate and resolve the CREATE INDEX statements given to
 *		idx_apply(), idx_whatif() and the advisor: the folder's entry point.
 *
 * Design: a definition is parsed with PostgreSQL's own raw parser and must
 * be exactly one IndexStmt.  It is then resolved at call time, as the
 * calling role and with its search_path: the table (a plain, permanent,
 * non-catalog table the caller owns), the access method and its
 * capabilities, every key/INCLUDE column, expression, operator class,
 * collation, predicate, storage parameter and tablespace.  This is what
 * DefineIndex() checks before it builds, done without taking any lock
 * stronger than AccessShareLock, so that a call never waits behind (or
 * blocks) writers.  The same resolved form is compared with the table's
 * valid indexes to refuse a definition that an index already covers; that
 * rule (ia_index_covers) is written once and idx_index_covers() exposes it to
 * idx_check(), so that both say the same of a duplicate.
 *
 * Caller's rules: call inside a transaction, as the role that will own the
 * request; the relation stays locked (AccessShareLock) until commit.
 * Nothing here writes anything.  A name reserved by a pending row, or a
 * duplicate queued, is asked of queue.c (which never calls back here).
 *
 * A hypothetical index (hypo.c) is resolved by the same code
 * (ia_resolve_hypothetical), without asking the queue.  The advisor's
 * candidates (ia_resolve_hypothetical_unowned) also skip the privilege
 * checks of building (ownership of the table and its partitions, CREATE on
 * the schema): advice is for roles that only read the table; idx_apply
 * then refuses it to them (42501) as ever.
 *
 * Folding runs code.  An expression or predicate whose functions the
 * planner may fold (an IMMUTABLE function with constant arguments runs
 * then) is folded here as the table's owner under
 * SECURITY_RESTRICTED_OPERATION, as CREATE INDEX runs a definition's code,
 * and only for what the caller wrote itself (idx_apply, idx_whatif); the
 * caller owns the table or has its owner's privileges (a superuser, say),
 * so the owner never has more rights than the caller.  The advisor's
 * candidates are drawn from
 * other roles' statements: they are resolved "as written" (RESOLVE_AS_WRITTEN:
 * ia_resolve_hypothetical_unowned, ia_resolve_candidate), never folded nor
 * planned here; advise_plan.c folded them when it drew them, as the
 * statement's planning role under SECURITY_RESTRICTED_OPERATION.  An
 * existing index's expressions and predicate are folded as its table's
 * owner too (ia_index_folded_form), never as whoever asks first in a
 * session (doc/safety-planning.md, "The advisor").
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/reloptions.h"
#include "access/table.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_tablespace.h"
#include "commands/tablespace.h"
#include "miscadmin.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "tcop/utility.h"
#include "utils/guc.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "definition_internal.h"
#include "ia_plan.h"

/* definitions longer than this are refused before they are parsed; queries
 * are limited by index_advisor.max_query_bytes */
#define IA_MAX_TEXT_LEN			65536

/* what resolve() does besides idx_apply's checks */
#define RESOLVE_ASK_QUEUE	0x01	/* names and duplicates of queued rows */
#define RESOLVE_PRIVILEGES	0x02	/* who may build it: owner, CREATE */
#define RESOLVE_AS_WRITTEN	0x04	/* fold nothing: an advisor's candidate */

static const char *relkind_article(char relkind);
static void check_table(Relation rel, bool only, bool check_privileges);
static void check_partitions(Relation rel, bool only, bool check_privileges);
static Oid	check_access_method(IndexStmt *stmt, IndexAmRoutine **amroutine);
static void check_options_and_tablespace(IndexStmt *stmt, Oid nspid,
										 IndexAmRoutine *amroutine);
static IaDefinition *resolve(const char *definition, IaResolvedIndex *out,
							 int flags);

/*
 * Error positions of the parser and of parse analysis point into the
 * definition or query text, not into the statement the client sent: report
 * them as an internal query, as SQL functions do.
 */
void
ia_text_errposition_callback(void *arg)
{
	(void) ia_internal_errposition((const char *) arg);
}

/*
 * ia_parse_index_stmt -- the single CREATE INDEX statement in "definition".
 *
 * Anything else (another statement, two statements, nothing) is refused.
 */
IndexStmt *
ia_parse_index_stmt(const char *definition)
{
	List	   *raw;
	RawStmt    *rs;
	ErrorContextCallback errcb;

	if (strlen(definition) > IA_MAX_TEXT_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("index definition is too long"),
				 errdetail("It is %zu bytes long; the limit is %d bytes.",
						   strlen(definition), IA_MAX_TEXT_LEN)));

	IA_ERRCONTEXT_PUSH(errcb, definition);
	raw = raw_parser(definition, RAW_PARSE_DEFAULT);
	IA_ERRCONTEXT_POP(errcb);
	if (list_length(raw) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("index definition must be exactly one CREATE INDEX statement"),
				 errdetail("The definition holds %d statements.", list_length(raw))));

	rs = linitial_node(RawStmt, raw);
	if (!IsA(rs->stmt, IndexStmt))
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("index definition must be a CREATE INDEX statement"),
				 errdetail("The statement given is %s.",
						   CreateCommandName(rs->stmt))));

	return (IndexStmt *) rs->stmt;
}

/*
 * ia_resolve_definition -- parse and validate a definition as the caller.
 *
 * Returns the table, the schema and the index name (chosen when absent).
 * Raises the error PostgreSQL would raise at build time for anything it can
 * check now, plus our own refusals (duplicates, unsupported tables).
 */
IaDefinition *
ia_resolve_definition(const char *definition)
{
	ResolvedIndex ri;

	return ia_resolve_index(definition, &ri);
}

/*
 * ia_resolve_hypothetical -- ia_resolve_index for a hypothetical index: the
 * same checks and errors, except that the queue is not asked (a hypothetical
 * index reserves no name and is never queued).
 */
IaDefinition *
ia_resolve_hypothetical(const char *definition, IaResolvedIndex *out)
{
	return resolve(definition, out, RESOLVE_PRIVILEGES);
}

/*
 * ia_resolve_hypothetical_unowned -- ia_resolve_hypothetical without the
 * checks of who may build it (owner of the table and of every partition,
 * CREATE on its schema); every other check and SQLSTATE is idx_apply's.
 * For the advisor's candidates, which advise roles that only read the
 * tables: resolved as written, nothing folded (see the file header).
 */
IaDefinition *
ia_resolve_hypothetical_unowned(const char *definition, IaResolvedIndex *out)
{
	return resolve(definition, out, RESOLVE_AS_WRITTEN);
}

/*
 * ia_resolve_candidate -- ia_resolve_definition for an advisor's candidate:
 * every check of idx_apply (who may build it, duplicates existing and
 * queued: the same errors and SQLSTATEs), but resolved as written, nothing
 * folded (see the file header).
 */
IaDefinition *
ia_resolve_candidate(const char *definition)
{
	ResolvedIndex ri;

	return resolve(definition, &ri, RESOLVE_ASK_QUEUE | RESOLVE_PRIVILEGES |
				   RESOLVE_AS_WRITTEN);
}

/*
 * ia_resolve_index -- ia_resolve_definition, also handing out the resolved
 * form in *out.
 */
IaDefinition *
ia_resolve_index(const char *definition, IaResolvedIndex *out)
{
	return resolve(definition, out, RESOLVE_ASK_QUEUE | RESOLVE_PRIVILEGES);
}

/*
 * ia_resolve_index; the queue is asked about names and duplicates with
 * RESOLVE_ASK_QUEUE; who may build it (ownership, CREATE on the schema) is
 * checked with RESOLVE_PRIVILEGES; nothing is folded with
 * RESOLVE_AS_WRITTEN.
 */
static IaDefinition *
resolve(const char *definition, IaResolvedIndex *out, int flags)
{
	bool		ask_queue = (flags & RESOLVE_ASK_QUEUE) != 0;
	bool		check_privileges = (flags & RESOLVE_PRIVILEGES) != 0;
	IaDefinition *def = palloc0(sizeof(IaDefinition));
	IndexStmt  *stmt;
	IndexStmt  *tstmt;
	Relation	rel;
	IndexAmRoutine *amroutine;
	ResolvedIndex ri;

	stmt = ia_parse_index_stmt(definition);
	def->stmt = stmt;

	if (list_length(stmt->indexParams) + list_length(stmt->indexIncludingParams) > INDEX_MAX_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("cannot use more than %d columns in an index",
						INDEX_MAX_KEYS)));

	def->relid = RangeVarGetRelidExtended(stmt->relation, AccessShareLock, 0,
										  NULL, NULL);
	rel = table_open(def->relid, NoLock);
	check_table(rel, !stmt->relation->inh, check_privileges);

	def->nspid = RelationGetNamespace(rel);
	def->schema_name = get_namespace_name(def->nspid);
	def->table_name = pstrdup(RelationGetRelationName(rel));

	tstmt = ia_resolve_form(rel, stmt, definition,
							(flags & RESOLVE_AS_WRITTEN) == 0, &ri, &amroutine);
	check_options_and_tablespace(stmt, def->nspid, amroutine);

	*out = ri;
	if (stmt->idxname != NULL)
	{
		def->index_name = pstrdup(stmt->idxname);
		if (ia_check_name(def, &ri, ask_queue))
		{
			table_close(rel, NoLock);
			def->skip = true;
			return def;
		}
	}
	else
		def->index_name = ia_choose_name(rel, tstmt, def->nspid, ask_queue);

	ia_check_duplicate(rel, &ri);
	if (ask_queue)
		ia_check_pending_duplicate(rel, def, &ri);

	table_close(rel, NoLock);
	return def;
}

/*
 * ia_resolve_form -- the resolved form (*ri) of "stmt", a raw CREATE INDEX
 * on "rel" whose text is "text": its access method (*amroutine), every key
 * and INCLUDE column, expression and predicate, as DefineIndex would compute
 * them; expressions and predicate folded as the table's owner when "fold"
 * (columns.c).  Returns the transformed statement (its columns named).
 * Checks nothing of the table, its name or privileges (resolve() does).
 */
IndexStmt *
ia_resolve_form(Relation rel, IndexStmt *stmt, const char *text, bool fold,
				ResolvedIndex *ri, IndexAmRoutine **amroutine)
{
	IndexStmt  *tstmt;
	Oid			amid;
	ErrorContextCallback errcb;

	amid = check_access_method(stmt, amroutine);

	/* what DefineIndex's parse-analysis step does: columns, expressions */
	IA_ERRCONTEXT_PUSH(errcb, text);
	tstmt = transformIndexStmt(RelationGetRelid(rel), copyObject(stmt), text);
	IA_ERRCONTEXT_POP(errcb);

	memset(ri, 0, sizeof(*ri));
	ri->amid = amid;
	ri->unique = stmt->unique;
	ri->nulls_not_distinct = stmt->nulls_not_distinct;
	ia_resolve_columns(rel, tstmt, amid, *amroutine, ri, fold);
	return tstmt;
}

static const char *
relkind_article(char relkind)
{
	switch (relkind)
	{
		case RELKIND_VIEW:
			return "a view";
		case RELKIND_MATVIEW:
			return "a materialized view";
		case RELKIND_FOREIGN_TABLE:
			return "a foreign table";
		case RELKIND_SEQUENCE:
			return "a sequence";
		case RELKIND_TOASTVALUE:
			return "a TOAST table";
		case RELKIND_COMPOSITE_TYPE:
			return "a composite type";
		case RELKIND_INDEX:
		case RELKIND_PARTITIONED_INDEX:
			return "an index";
		default:
			return "not a table";
	}
}

/*
 * A partitioned table: every partition, at every level, must be a table the
 * caller owns (each gets its own CREATE INDEX CONCURRENTLY, as the caller);
 * ON ONLY is refused (it would build nothing).
 */
static void
check_partitions(Relation rel, bool only, bool check_privileges)
{
	List	   *rels;
	ListCell   *lc;

	if (only)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ON ONLY is not supported for partitioned table \"%s\" through index_advisor",
						RelationGetRelationName(rel)),
				 errdetail("index_advisor builds the index of every partition, then attaches them.")));

	rels = find_all_inheritors(RelationGetRelid(rel), AccessShareLock, NULL);
	foreach(lc, rels)
	{
		Oid			relid = lfirst_oid(lc);
		char		kind = get_rel_relkind(relid);
		char	   *name = get_rel_name(relid);

		if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("partition \"%s\" of \"%s\" is not a table",
							name, RelationGetRelationName(rel)),
					 errdetail("\"%s\" is %s; index_advisor builds indexes on plain tables only.",
							   name, relkind_article(kind))));
		if (check_privileges && !ia_table_ownercheck(relid, GetUserId()))
			aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, name);
	}
}

/*
 * The table must be a plain permanent user table that the caller owns (when
 * check_privileges) in a schema where it may create.
 */
static void
check_table(Relation rel, bool only, bool check_privileges)
{
	const char *relname = RelationGetRelationName(rel);
	char		relkind = rel->rd_rel->relkind;
	AclResult	aclresult;

	if (relkind == RELKIND_PARTITIONED_TABLE)
	{
		check_partitions(rel, only, check_privileges);
		relkind = RELKIND_RELATION;
	}

	if (relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", relname),
				 errdetail("\"%s\" is %s; index_advisor builds indexes on plain tables only.",
						   relname, relkind_article(relkind))));

	if (rel->rd_rel->relpersistence == RELPERSISTENCE_TEMP)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot build an index on temporary table \"%s\" through index_advisor",
						relname),
				 errdetail("A temporary table is visible only to its own session, not to a background worker."),
				 errhint("Use CREATE INDEX directly.")));

	if (IsCatalogRelation(rel) || IsSystemRelation(rel))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot build an index on system catalog \"%s\" through index_advisor",
						relname),
				 errdetail("Concurrent index creation on system catalog tables is not supported.")));

	if (!check_privileges)
		return;
	if (!ia_table_ownercheck(RelationGetRelid(rel), GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, relname);

	aclresult = ia_namespace_aclcheck(RelationGetNamespace(rel), GetUserId(),
									  ACL_CREATE);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_SCHEMA,
					   get_namespace_name(RelationGetNamespace(rel)));
}

/* The access method exists, is an index AM, and can do what is asked. */
static Oid
check_access_method(IndexStmt *stmt, IndexAmRoutine **amroutine)
{
	const char *amname = stmt->accessMethod;
	HeapTuple	tuple;
	Form_pg_am	amform;
	Oid			amid;
	ListCell   *lc;

	tuple = SearchSysCache1(AMNAME, PointerGetDatum(amname));
	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("access method \"%s\" does not exist", amname)));
	amform = (Form_pg_am) GETSTRUCT(tuple);
	amid = amform->oid;
	if (amform->amtype != AMTYPE_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("access method \"%s\" is not of type %s", amname, "INDEX")));
	*amroutine = GetIndexAmRoutine(amform->amhandler);
	ReleaseSysCache(tuple);

	if (stmt->unique && !(*amroutine)->amcanunique)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("access method \"%s\" does not support unique indexes",
						amname)));
	if (stmt->indexIncludingParams != NIL && !(*amroutine)->amcaninclude)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("access method \"%s\" does not support included columns",
						amname)));
	if (list_length(stmt->indexParams) > 1 && !(*amroutine)->amcanmulticol)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("access method \"%s\" does not support multicolumn indexes",
						amname)));
	foreach(lc, stmt->indexParams)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if ((*amroutine)->amcanorder)
			continue;
		if (elem->ordering != SORTBY_DEFAULT)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("access method \"%s\" does not support ASC/DESC options",
							amname)));
		if (elem->nulls_ordering != SORTBY_NULLS_DEFAULT)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("access method \"%s\" does not support NULLS FIRST/LAST options",
							amname)));
	}
	return amid;
}

/* Storage parameters are valid for the access method; tablespace usable. */
static void
check_options_and_tablespace(IndexStmt *stmt, Oid nspid,
							 IndexAmRoutine *amroutine)
{
	Datum		reloptions;

	reloptions = transformRelOptions((Datum) 0, stmt->options, NULL, NULL,
									 false, false);
	(void) index_reloptions(amroutine->amoptions, reloptions, true);

	if (stmt->tableSpace != NULL)
	{
		Oid			spcid = get_tablespace_oid(stmt->tableSpace, false);

		if (spcid != MyDatabaseTableSpace)
		{
			AclResult	aclresult = ia_tablespace_aclcheck(spcid, GetUserId(),
														   ACL_CREATE);

			if (aclresult != ACLCHECK_OK)
				aclcheck_error(aclresult, OBJECT_TABLESPACE, stmt->tableSpace);
		}
		if (spcid == GLOBALTABLESPACE_OID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("only shared relations can be placed in pg_global tablespace")));
	}
}

/*
 * Queued row p resolved on rel into *queued; false, with nothing raised,
 * when it no longer resolves (a column dropped since it was queued, a
 * schema of its requester's search_path the caller may not use, ...): its
 * build will fail and say so, and it must not make this request fail.  A
 * cancel is re-thrown.
 */
static bool
resolve_pending(Relation rel, IaDefinition *def, IaPending *p,
				ResolvedIndex *queued)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = false;

	ia_subxact_begin(cxt);
	PG_TRY();
	{
		IndexStmt  *stmt = ia_parse_index_stmt(p->definition);
		IndexAmRoutine *amroutine;
		int			nestlevel = NewGUCNestLevel();

		/* the row's table, as recorded, whatever its text says; its names
		 * as its requester's search_path resolved them */
		stmt->relation = makeRangeVar(def->schema_name, def->table_name, -1);
		(void) set_config_option("search_path", p->search_path, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
		(void) ia_resolve_form(rel, stmt, p->definition, true, queued,
							   &amroutine);
		AtEOXact_GUC(false, nestlevel);
		ia_subxact_end(cxt, owner, true);
		ok = true;
	}
	PG_CATCH();
	{
		(void) ia_subxact_caught(cxt, owner, true);
	}
	PG_END_TRY();
	return ok;
}

/*
 * ia_check_pending_duplicate -- refuse a definition (def, resolved as ri on
 * rel) that a create queued or running on the same table already has: the
 * duplicate rule (ia_resolved_covers) both ways, as IF NOT EXISTS asks of
 * an existing index (naming.c), so that (a) and USING btree (a ASC) are one
 * index whether the first is built or queued.  Only both ways: a queued
 * index may still fail (a unique one on duplicate values), so it does not
 * stand for the narrower index a built one would cover.  Each queued
 * definition is resolved again on the table, with its requester's
 * search_path and folded as the table's owner, as the worker's build will.
 */
void
ia_check_pending_duplicate(Relation rel, IaDefinition *def, ResolvedIndex *ri)
{
	ListCell   *lc;

	foreach(lc, ia_pending_definitions(def->relid))
	{
		IaPending  *p = lfirst(lc);
		ResolvedIndex queued;

		if (!resolve_pending(rel, def, p, &queued))
			continue;
		if (ia_resolved_covers(&queued, ri, 0) && ia_resolved_covers(ri, &queued, 0))
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("an equivalent index is already queued on table \"%s\"",
							def->table_name),
					 errdetail("History row " INT64_FORMAT " (%s) builds \"%s\" from the same definition.",
							   p->id, p->status, p->index_name),
					 errhint("Wait for it with CALL idx_wait(" INT64_FORMAT "), or cancel it with idx_cancel().",
							 p->id)));
	}
}
