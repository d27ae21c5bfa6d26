/*-------------------------------------------------------------------------
 *
 * definition.c
 *		Parse, validate, resolve and name the CREATE INDEX statements given
 *		to idx_apply(), and check the queries they are meant for.
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
 * rule (index_covers) is written once and idx_index_covers() exposes it to
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
 * The parse trees a worker runs (ia_build_create, ia_build_drop) are built
 * here too, from the definition as given, adjusted at tree level.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/amapi.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/relation.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "catalog/pg_tablespace.h"
#include "commands/defrem.h"
#include "commands/tablespace.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_target.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
#include "utils/resowner.h"
#include "utils/inval.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_definition.h"
#include "ia_queue.h"
#include "verify.h"

/* definitions longer than this are refused before they are parsed; queries
 * are limited by index_advisor.max_query_bytes */
#define IA_MAX_TEXT_LEN			65536
/* as many $n as the protocol can bind (PQ_QUERY_PARAM_MAX_LIMIT) */
#define IA_MAX_QUERY_PARAMS		65535

/* The resolved form of one index: what pg_index would hold (ia_definition.h). */
typedef IaResolvedIndex ResolvedIndex;

static const char *relkind_article(char relkind);
static void check_table(Relation rel, bool only, bool check_privileges);
static void check_partitions(Relation rel, bool only, bool check_privileges);
static Oid	check_access_method(IndexStmt *stmt, IndexAmRoutine **amroutine);
static void resolve_columns(Relation rel, IndexStmt *stmt, Oid amid,
							IndexAmRoutine *amroutine, ResolvedIndex *ri,
							bool fold);
static void check_options_and_tablespace(IndexStmt *stmt, Oid nspid,
										 IndexAmRoutine *amroutine);
static void check_duplicate(Relation rel, ResolvedIndex *ri);
static void check_pending_duplicate(IaDefinition *def);
static bool check_name(IaDefinition *def, ResolvedIndex *ri, bool ask_queue);
static bool index_covers(Relation irel, ResolvedIndex *ri);
static char *choose_index_name(Relation rel, IndexStmt *stmt, Oid nspid,
							   bool ask_queue);
static bool name_taken(Oid nspid, const char *name, bool ask_queue);
static IaDefinition *resolve(const char *definition, IaResolvedIndex *out,
							 int flags);

/* what resolve() does besides idx_apply's checks */
#define RESOLVE_ASK_QUEUE	0x01	/* names and duplicates of queued rows */
#define RESOLVE_PRIVILEGES	0x02	/* who may build it: owner, CREATE */
#define RESOLVE_AS_WRITTEN	0x04	/* fold nothing: an advisor's candidate */

/*
 * Error positions of the parser and of parse analysis point into the
 * definition or query text, not into the statement the client sent: report
 * them as an internal query, as SQL functions do.
 */
static void
text_errposition_callback(void *arg)
{
	(void) ia_internal_errposition((const char *) arg);
}

#define IA_ERRCONTEXT_PUSH(cb, text) \
	do { \
		(cb).callback = text_errposition_callback; \
		(cb).arg = (void *) (text); \
		(cb).previous = error_context_stack; \
		error_context_stack = &(cb); \
	} while (0)
#define IA_ERRCONTEXT_POP(cb)	(error_context_stack = (cb).previous)

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
	Oid			amid;
	ErrorContextCallback errcb;

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

	amid = check_access_method(stmt, &amroutine);

	/* what DefineIndex's parse-analysis step does: columns, expressions */
	IA_ERRCONTEXT_PUSH(errcb, definition);
	tstmt = transformIndexStmt(def->relid, copyObject(stmt), definition);
	IA_ERRCONTEXT_POP(errcb);

	memset(&ri, 0, sizeof(ri));
	ri.amid = amid;
	ri.unique = stmt->unique;
	ri.nulls_not_distinct = stmt->nulls_not_distinct;
	resolve_columns(rel, tstmt, amid, amroutine, &ri,
					(flags & RESOLVE_AS_WRITTEN) == 0);
	check_options_and_tablespace(stmt, def->nspid, amroutine);

	*out = ri;
	if (stmt->idxname != NULL)
	{
		def->index_name = pstrdup(stmt->idxname);
		if (check_name(def, &ri, ask_queue))
		{
			table_close(rel, NoLock);
			def->skip = true;
			return def;
		}
	}
	else
		def->index_name = choose_index_name(rel, tstmt, def->nspid, ask_queue);

	check_duplicate(rel, &ri);
	if (ask_queue)
		check_pending_duplicate(def);

	table_close(rel, NoLock);
	return def;
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

/* Who runs an index's code (becomes the owner; back with owner_done). */
typedef struct OwnerSwitch
{
	Oid			save_user;
	int			save_sec;
	int			nestlevel;
} OwnerSwitch;

/*
 * Run as "owner" (a table's) under SECURITY_RESTRICTED_OPERATION in a new
 * GUC nest level, as DefineIndex runs a definition's code and ANALYZE an
 * index's: an index's expressions are its table owner's code.  An error
 * leaves it to the (sub)transaction's abort, which restores both.
 */
static void
become_owner(Oid owner, OwnerSwitch *sw)
{
	GetUserIdAndSecContext(&sw->save_user, &sw->save_sec);
	SetUserIdAndSecContext(owner, sw->save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	sw->nestlevel = NewGUCNestLevel();
}

static void
owner_done(OwnerSwitch *sw)
{
	AtEOXact_GUC(false, sw->nestlevel);
	SetUserIdAndSecContext(sw->save_user, sw->save_sec);
}

/*
 * expr (analysed) folded as rel's owner (become_owner): through
 * expression_planner (which also inlines SQL functions, as DefineIndex
 * checks mutability) when "plan", else eval_const_expressions as the
 * relcache folds an index's expressions.
 */
static Node *
fold_as_owner(Relation rel, Node *expr, bool plan)
{
	OwnerSwitch sw;

	become_owner(rel->rd_rel->relowner, &sw);
	expr = plan ? (Node *) expression_planner((Expr *) copyObject(expr)) :
		eval_const_expressions(NULL, copyObject(expr));
	owner_done(&sw);
	return expr;
}

/*
 * Are the functions of expr (analysed) all IMMUTABLE?  As DefineIndex asks
 * it (through expression_planner, which inlines SQL functions and folds:
 * as the table's owner) when "fold"; else of expr as written, running
 * nothing.
 */
static bool
is_immutable(Relation rel, Node *expr, bool fold)
{
	if (fold)
		expr = fold_as_owner(rel, expr, true);
	return !contain_mutable_functions(expr);
}

/* A predicate as RelationGetIndexPredicate() hands it out, but for the
 * folding: canonical, implicit AND, operator functions set. */
static List *
canonical_predicate(Node *pred)
{
	List	   *out;

	pred = (Node *) canonicalize_qual((Expr *) pred, false);
	out = make_ands_implicit((Expr *) pred);
	fix_opfuncids((Node *) out);
	return out;
}

/*
 * ia_index_folded_form -- the expressions and predicate of an existing
 * index as the relcache hands them out (RelationGetIndexExpressions,
 * RelationGetIndexPredicate: folded), folded, if the relcache has not yet,
 * as the index's table's owner under SECURITY_RESTRICTED_OPERATION in a new
 * GUC nest level: as PostgreSQL runs index code when it builds or analyses
 * an index.  Folding runs the IMMUTABLE functions of the index; as the
 * calling role it would run them with the caller's rights.
 */
void
ia_index_folded_form(Relation irel, List **exprs, List **pred)
{
	OwnerSwitch sw;

	*exprs = NIL;
	*pred = NIL;
	if (heap_attisnull(irel->rd_indextuple, Anum_pg_index_indexprs, NULL) &&
		heap_attisnull(irel->rd_indextuple, Anum_pg_index_indpred, NULL))
		return;
	become_owner(irel->rd_rel->relowner, &sw);	/* the table's owner */
	*exprs = RelationGetIndexExpressions(irel);
	*pred = RelationGetIndexPredicate(irel);
	owner_done(&sw);
}

/*
 * Resolve one key or INCLUDE column (a column by name, a parenthesised
 * column, or an expression) into ri's slot "i"; its type and collation go
 * to *atttype and *attcollation.
 */
static void
resolve_column(Relation rel, IndexElem *elem, bool iskey, ResolvedIndex *ri,
			   int i, Oid *atttype, Oid *attcollation, bool fold)
{
	Node	   *expr = elem->expr;

	/* a parenthesised plain column is a column */
	while (expr && IsA(expr, CollateExpr))
		expr = (Node *) ((CollateExpr *) expr)->arg;
	if (expr && IsA(expr, Var) && ((Var *) expr)->varattno > 0)
	{
		ri->attnums[i] = ((Var *) expr)->varattno;
		*atttype = exprType(expr);
		*attcollation = exprCollation(expr);
	}
	else if (expr)
	{
		if (!iskey)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("expressions are not supported in included columns")));
		if (!is_immutable(rel, expr, fold))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("functions in index expression must be marked IMMUTABLE")));
		ri->attnums[i] = 0;
		*atttype = exprType(expr);
		*attcollation = exprCollation(expr);
		ri->exprs = lappend(ri->exprs, copyObject(expr));
	}
	else
	{
		HeapTuple	atttuple;
		Form_pg_attribute attform;

		atttuple = SearchSysCacheAttName(RelationGetRelid(rel), elem->name);
		if (!HeapTupleIsValid(atttuple))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" does not exist", elem->name)));
		attform = (Form_pg_attribute) GETSTRUCT(atttuple);
		if (attform->attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("index creation on system columns is not supported")));
		ri->attnums[i] = attform->attnum;
		*atttype = attform->atttypid;
		*attcollation = attform->attcollation;
		ReleaseSysCache(atttuple);
	}
}

/* An INCLUDE column takes no collation, operator class or ordering. */
static void
check_included_column(IndexElem *elem)
{
	if (elem->opclass != NIL || elem->collation != NIL ||
		elem->ordering != SORTBY_DEFAULT ||
		elem->nulls_ordering != SORTBY_NULLS_DEFAULT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("including column does not support a collation, an operator class or ordering options")));
}

/* The collation of a key column: its COLLATE clause, else its own. */
static Oid
resolve_key_collation(IndexElem *elem, Oid atttype, Oid attcollation)
{
	if (elem->collation != NIL)
	{
		attcollation = get_collation_oid(elem->collation, false);
		if (!type_is_collatable(atttype))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("collations are not supported by type %s",
							format_type_be(atttype))));
	}
	if (type_is_collatable(atttype) && !OidIsValid(attcollation))
		ereport(ERROR,
				(errcode(ERRCODE_INDETERMINATE_COLLATION),
				 errmsg("could not determine which collation to use for index expression"),
				 errhint("Use the COLLATE clause to set the collation explicitly.")));
	return attcollation;
}

/* Operator class options are valid for "opclass", as at build time. */
static void
check_opclass_options(IndexStmt *stmt, IndexAmRoutine *amroutine,
					  IndexElem *elem, Oid opclass)
{
	if (elem->opclassopts != NIL && amroutine->amoptsprocnum == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("operator class options are not supported by access method \"%s\"",
						stmt->accessMethod)));
	if (elem->opclassopts != NIL)
	{
		/* as index_opclass_options() does at build time */
		Oid			opcintype = get_opclass_input_type(opclass);
		Oid			procid = get_opfamily_proc(get_opclass_family(opclass),
											   opcintype, opcintype,
											   amroutine->amoptsprocnum);
		local_relopts relopts;

		if (!OidIsValid(procid))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("operator class %s has no options",
							generate_opclass_name(opclass))));
		init_local_reloptions(&relopts, 0);
		(void) OidFunctionCall1(procid, PointerGetDatum(&relopts));
		(void) build_local_reloptions(&relopts,
									  transformRelOptions((Datum) 0, elem->opclassopts,
														  NULL, NULL, false, false),
									  true);
	}
}

/* pg_index.indoption of a key column: DESC, NULLS FIRST. */
static int16
key_options(IndexElem *elem, IndexAmRoutine *amroutine)
{
	int16		options = 0;

	if (amroutine->amcanorder)
	{
		if (elem->ordering == SORTBY_DESC)
		{
			options |= INDOPTION_DESC;
			if (elem->nulls_ordering != SORTBY_NULLS_LAST)
				options |= INDOPTION_NULLS_FIRST;
		}
		else if (elem->nulls_ordering == SORTBY_NULLS_FIRST)
			options |= INDOPTION_NULLS_FIRST;
	}
	return options;
}

/*
 * The expressions and predicate in the form the relcache hands out: folded
 * as the table's owner when "fold", else as written (an advisor's
 * candidate, folded already by its statement's planning role).
 */
static void
resolve_exprs_and_predicate(Relation rel, IndexStmt *stmt, ResolvedIndex *ri,
							bool fold)
{
	if (fold && ri->exprs != NIL)
		ri->exprs = (List *) fold_as_owner(rel, (Node *) ri->exprs, false);
	fix_opfuncids((Node *) ri->exprs);
	if (stmt->whereClause != NULL)
	{
		Node	   *pred = copyObject(stmt->whereClause);

		if (!is_immutable(rel, pred, fold))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("functions in index predicate must be marked IMMUTABLE")));
		if (fold)
			pred = fold_as_owner(rel, pred, false);
		ri->pred = canonical_predicate(pred);
	}
}

/* As DefineIndex(): no system column in an expression or the predicate. */
static void
check_no_system_columns(ResolvedIndex *ri)
{
	Bitmapset  *attrs = NULL;

	pull_varattnos((Node *) ri->exprs, 1, &attrs);
	pull_varattnos((Node *) ri->pred, 1, &attrs);
	for (int a = FirstLowInvalidHeapAttributeNumber + 1; a < 0; a++)
		if (bms_is_member(a - FirstLowInvalidHeapAttributeNumber, attrs))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("index creation on system columns is not supported")));
}

/*
 * The default operator classes found so far (GetDefaultOpClass scans
 * pg_opclass: ~10 us, a tenth of an idx_whatif), forgotten whenever an
 * operator class changes (a syscache callback on pg_opclass).
 */
#define IA_OPCLASS_CACHE 16
typedef struct DefaultOpclass
{
	Oid			type;
	Oid			am;
	Oid			opclass;
} DefaultOpclass;
static DefaultOpclass opclass_cache[IA_OPCLASS_CACHE];
static int	opclass_cache_next = 0;
static bool opclass_callback_registered = false;

static void
forget_opclasses(Datum arg, int cacheid, uint32 hashvalue)
{
	memset(opclass_cache, 0, sizeof(opclass_cache));
}

/* ResolveOpClass(), remembering the default operator class it finds */
static Oid
resolve_opclass(List *opclass, Oid type, const char *amname, Oid amid)
{
	Oid			found;

	if (opclass != NIL)
		return ResolveOpClass(opclass, type, amname, amid);
	if (!opclass_callback_registered)
	{
		CacheRegisterSyscacheCallback(CLAOID, forget_opclasses, (Datum) 0);
		opclass_callback_registered = true;
	}
	for (int i = 0; i < IA_OPCLASS_CACHE; i++)
		if (opclass_cache[i].type == type && opclass_cache[i].am == amid &&
			OidIsValid(opclass_cache[i].opclass))
			return opclass_cache[i].opclass;
	found = ResolveOpClass(NIL, type, amname, amid);
	opclass_cache[opclass_cache_next].type = type;
	opclass_cache[opclass_cache_next].am = amid;
	opclass_cache[opclass_cache_next].opclass = found;
	opclass_cache_next = (opclass_cache_next + 1) % IA_OPCLASS_CACHE;
	return found;
}

/*
 * Resolve every key and INCLUDE column as ComputeIndexAttrs() would, and
 * fill "ri" with the form pg_index will have.
 */
static void
resolve_columns(Relation rel, IndexStmt *stmt, Oid amid,
				IndexAmRoutine *amroutine, ResolvedIndex *ri, bool fold)
{
	List	   *all = list_concat_copy(stmt->indexParams, stmt->indexIncludingParams);
	int			nkeys = list_length(stmt->indexParams);
	ListCell   *lc;
	int			i = 0;

	foreach(lc, all)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);
		bool		iskey = i < nkeys;
		Oid			atttype;
		Oid			attcollation;

		resolve_column(rel, elem, iskey, ri, i, &atttype, &attcollation, fold);
		if (!iskey)
		{
			check_included_column(elem);
			ri->collations[i] = InvalidOid;
			i++;
			continue;
		}
		ri->collations[i] = resolve_key_collation(elem, atttype, attcollation);
		ri->opclasses[i] = resolve_opclass(elem->opclass, atttype,
										  stmt->accessMethod, amid);
		check_opclass_options(stmt, amroutine, elem, ri->opclasses[i]);
		ri->options[i] = key_options(elem, amroutine);
		i++;
	}
	ri->nkeys = nkeys;
	ri->natts = i;
	resolve_exprs_and_predicate(rel, stmt, ri, fold);
	check_no_system_columns(ri);
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
 * same_definition -- IF NOT EXISTS skips only an index that is what the
 * definition asks for: on the same table, and the duplicate rule
 * (index_covers) both ways (so also unique exactly when asked).  Another
 * index of that name is an error, not a silent skip: the migration that
 * asked for it would believe it got it.
 */
static void
check_same_definition(IaDefinition *def, Oid existing, ResolvedIndex *ri)
{
	Relation	irel = index_open(existing, AccessShareLock);
	bool		same = irel->rd_index->indrelid == def->relid &&
		irel->rd_index->indisunique == ri->unique &&
		index_covers(irel, ri);

	index_close(irel, AccessShareLock);
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("index \"%s\" already exists with a different definition",
						def->index_name),
				 errdetail("IF NOT EXISTS skips only an index of the same table and definition; the existing one is: %s.",
						   pg_get_indexdef_string(existing)),
				 errhint("Choose another name, or drop the existing index first.")));
}

/*
 * check_name -- the given name is free (or, with IF NOT EXISTS, names a
 * valid index of the same definition already: returns true, nothing to do).
 */
static bool
check_name(IaDefinition *def, ResolvedIndex *ri, bool ask_queue)
{
	Oid			existing = get_relname_relid(def->index_name, def->nspid);
	char	   *pending;

	if (OidIsValid(existing))
	{
		HeapTuple	tuple;
		bool		valid = false;
		char		relkind = get_rel_relkind(existing);
		bool		is_index = relkind == RELKIND_INDEX ||
			relkind == RELKIND_PARTITIONED_INDEX;

		if (is_index)
		{
			tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(existing));
			if (HeapTupleIsValid(tuple))
			{
				valid = ((Form_pg_index) GETSTRUCT(tuple))->indisvalid;
				ReleaseSysCache(tuple);
			}
		}
		if (def->stmt->if_not_exists && is_index && valid)
		{
			check_same_definition(def, existing, ri);
			ereport(NOTICE,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation \"%s\" already exists, skipping",
							def->index_name)));
			return true;
		}
		if (is_index && !valid)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("index \"%s\" already exists and is invalid",
							def->index_name),
					 errdetail("An INVALID index is left over from a failed build and slows every write."),
					 errhint("Drop it with DROP INDEX CONCURRENTLY, then apply the definition again.")));
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", def->index_name)));
	}

	if (!ask_queue)
		return false;
	pending = ia_pending_name_exists(def->nspid, def->index_name);
	if (pending != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("index \"%s\" is already queued for creation",
						def->index_name),
				 errdetail("%s", pending)));
	return false;
}

static bool
name_taken(Oid nspid, const char *name, bool ask_queue)
{
	return OidIsValid(get_relname_relid(name, nspid)) ||
		(ask_queue && ia_pending_name_exists(nspid, name) != NULL);
}

/*
 * index_column_names -- the names PostgreSQL gives the columns of an index
 * (key columns, then INCLUDE columns): a name that an earlier column has
 * gets the first free number appended, clipped to fit NAMEDATALEN, so that
 * (lower(a), lower(b)) gives "lower" and "lower1".  Adapted from
 * ChooseIndexColumnNames() in src/backend/commands/indexcmds.c
 * (PostgreSQL 15).
 */
static List *
index_column_names(List *elems)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, elems)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);
		const char *origname;
		char	   *curname;

		if (elem->indexcolname)
			origname = elem->indexcolname;
		else if (elem->name)
			origname = elem->name;
		else
			origname = "expr";

		curname = pstrdup(origname);
		for (int i = 1; list_member(result, makeString(curname)); i++)
		{
			char		nbuf[32];
			int			nlen;

			snprintf(nbuf, sizeof(nbuf), "%d", i);
			nlen = pg_mbcliplen(origname, strlen(origname),
								NAMEDATALEN - 1 - strlen(nbuf));
			curname = psprintf("%.*s%s", nlen, origname, nbuf);
		}
		result = lappend(result, makeString(curname));
	}
	return result;
}

/*
 * choose_index_name -- the name PostgreSQL would give the index, also
 * avoiding names reserved by queued rows.  Adapted from ChooseIndexName(),
 * ChooseIndexNameAddition() and ChooseRelationName() in
 * src/backend/commands/indexcmds.c and namespace.c (PostgreSQL 15).
 */
static char *
choose_index_name(Relation rel, IndexStmt *stmt, Oid nspid, bool ask_queue)
{
	char		buf[NAMEDATALEN * 2];
	int			buflen = 0;
	ListCell   *lc;
	List	   *all = list_concat_copy(stmt->indexParams, stmt->indexIncludingParams);
	const char *label = "idx";
	char	   *base;
	int			pass = 0;

	buf[0] = '\0';
	foreach(lc, index_column_names(all))
	{
		const char *name = strVal(lfirst(lc));

		if (buflen > 0)
			buf[buflen++] = '_';
		strlcpy(buf + buflen, name, NAMEDATALEN);
		buflen += strlen(buf + buflen);
		if (buflen >= NAMEDATALEN)
			break;
	}
	base = pstrdup(buf);

	for (;;)
	{
		char	   *candidate;
		char		modlabel[NAMEDATALEN];

		if (pass == 0)
			strlcpy(modlabel, label, sizeof(modlabel));
		else
			snprintf(modlabel, sizeof(modlabel), "%s%d", label, pass);
		candidate = makeObjectName(RelationGetRelationName(rel), base, modlabel);
		if (!name_taken(nspid, candidate, ask_queue))
			return candidate;
		pfree(candidate);
		pass++;
	}
}

/*
 * index_covers -- the duplicate rule, written once: does the valid index
 * irel already cover ri?  Same method, keys, operator families and input
 * types, collations, order, expressions, predicate and INCLUDE columns.  A
 * unique index covers a non-unique one on the same keys, not the other way
 * round; a unique one covers a unique one only with the same NULLS [NOT]
 * DISTINCT.  idx_apply() refuses what an index covers (check_duplicate),
 * idx_check() reports it (idx_index_covers).
 */
static bool
index_covers(Relation irel, ResolvedIndex *ri)
{
	Form_pg_index idx = irel->rd_index;
	List	   *exprs;
	List	   *pred;
	int			i;

	if (!idx->indisvalid || !idx->indislive ||
		irel->rd_rel->relam != ri->amid ||
		idx->indnatts != ri->natts || idx->indnkeyatts != ri->nkeys ||
		(ri->unique && !idx->indisunique) ||
		(ri->unique && idx->indnullsnotdistinct != ri->nulls_not_distinct))
		return false;

	for (i = 0; i < ri->natts; i++)
	{
		if (idx->indkey.values[i] != ri->attnums[i])
			return false;
		if (i < ri->nkeys &&
			(irel->rd_indcollation[i] != ri->collations[i] ||
			 irel->rd_opfamily[i] != get_opclass_family(ri->opclasses[i]) ||
			 irel->rd_opcintype[i] != get_opclass_input_type(ri->opclasses[i]) ||
			 irel->rd_indoption[i] != ri->options[i]))
			return false;
	}
	ia_index_folded_form(irel, &exprs, &pred);
	return equal(exprs, ri->exprs) && equal(pred, ri->pred);
}

/*
 * check_duplicate -- refuse a definition that a valid index of the table
 * already covers (index_covers).
 */
static void
check_duplicate(Relation rel, ResolvedIndex *ri)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Relation	irel = index_open(lfirst_oid(lc), AccessShareLock);

		if (index_covers(irel, ri))
		{
			char	   *name = pstrdup(RelationGetRelationName(irel));

			index_close(irel, AccessShareLock);
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("index \"%s\" on table \"%s\" already covers this definition",
							name, RelationGetRelationName(rel)),
					 errdetail("Same method, key columns, operator classes, order, predicate and included columns."),
					 errhint("Use the existing index, or drop it first.")));
		}
		index_close(irel, AccessShareLock);
	}
	list_free(indexes);
}

/* The resolved form of an existing index, as resolve_columns() gives it for
 * a definition. */
static void
resolved_from_index(Relation irel, ResolvedIndex *ri)
{
	Form_pg_index idx = irel->rd_index;
	oidvector  *indclass;
	bool		isnull;
	int			i;

	indclass = (oidvector *) DatumGetPointer(SysCacheGetAttr(INDEXRELID,
															 irel->rd_indextuple,
															 Anum_pg_index_indclass,
															 &isnull));
	Assert(!isnull);
	memset(ri, 0, sizeof(*ri));
	ri->amid = irel->rd_rel->relam;
	ri->unique = idx->indisunique;
	ri->nulls_not_distinct = idx->indnullsnotdistinct;
	ri->natts = idx->indnatts;
	ri->nkeys = idx->indnkeyatts;
	for (i = 0; i < ri->natts; i++)
		ri->attnums[i] = idx->indkey.values[i];
	for (i = 0; i < ri->nkeys; i++)
	{
		ri->opclasses[i] = indclass->values[i];
		ri->collations[i] = irel->rd_indcollation[i];
		ri->options[i] = irel->rd_indoption[i];
	}
	ia_index_folded_form(irel, &ri->exprs, &ri->pred);
}

/*
 * idx_index_covers(existing regclass, candidate regclass) RETURNS boolean
 *
 * True when idx_apply() would refuse candidate's definition because of
 * existing: both are indexes of the same table and existing, valid, covers
 * candidate (index_covers).  An index does not cover itself.  NULL when
 * either relation is gone.  For idx_check()'s duplicate finding.
 */
PG_FUNCTION_INFO_V1(idx_index_covers);
Datum
idx_index_covers(PG_FUNCTION_ARGS)
{
	Oid			existing = PG_GETARG_OID(0);
	Oid			candidate = PG_GETARG_OID(1);
	Relation	erel;
	Relation	crel;
	ResolvedIndex ri;
	bool		result = false;

	erel = try_relation_open(existing, AccessShareLock);
	if (erel == NULL)
		PG_RETURN_NULL();
	crel = try_relation_open(candidate, AccessShareLock);
	if (crel == NULL)
	{
		relation_close(erel, AccessShareLock);
		PG_RETURN_NULL();
	}
	if (existing != candidate &&
		(erel->rd_rel->relkind == RELKIND_INDEX ||
		 erel->rd_rel->relkind == RELKIND_PARTITIONED_INDEX) &&
		(crel->rd_rel->relkind == RELKIND_INDEX ||
		 crel->rd_rel->relkind == RELKIND_PARTITIONED_INDEX) &&
		erel->rd_index->indrelid == crel->rd_index->indrelid)
	{
		resolved_from_index(crel, &ri);
		result = index_covers(erel, &ri);
	}
	relation_close(crel, AccessShareLock);
	relation_close(erel, AccessShareLock);
	PG_RETURN_BOOL(result);
}

/* $n beyond what a client can bind would make the parser allocate (and
 * zero) an array of that many types: refuse it before parse analysis. */
static bool
param_number_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, ParamRef) && ((ParamRef *) node)->number > IA_MAX_QUERY_PARAMS)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_PARAMETER),
				 errmsg("there is no parameter $%d", ((ParamRef *) node)->number),
				 errdetail("A query can have at most %d parameters.", IA_MAX_QUERY_PARAMS)));
	return raw_expression_tree_walker(node, param_number_walker, context);
}

/* The statement with what does not change the index left out. */
static IndexStmt *
normalized(IndexStmt *stmt, IaDefinition *def)
{
	IndexStmt  *copy = copyObject(stmt);

	copy->idxname = NULL;
	copy->concurrent = false;
	copy->if_not_exists = false;
	copy->relation = makeRangeVar(def->schema_name, def->table_name, -1);
	copy->relation->inh = stmt->relation->inh;
	return copy;
}

/*
 * check_pending_duplicate -- refuse a definition that a create queued or
 * running on the same table already has (the same statement but for the
 * name, CONCURRENTLY, IF NOT EXISTS and how the table is written): it would
 * build a second, identical index.
 */
static void
check_pending_duplicate(IaDefinition *def)
{
	IndexStmt  *mine = normalized(def->stmt, def);
	ListCell   *lc;

	foreach(lc, ia_pending_definitions(def->relid))
	{
		IaPending  *p = lfirst(lc);

		if (equal(mine, normalized(ia_parse_index_stmt(p->definition), def)))
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

/*
 * ia_check_query_count -- at most index_advisor.max_queries_per_index
 * queries in one call: the limit of idx_apply, idx_whatif, idx_advise and
 * (worded for pg_stat_statements' statements when "statements")
 * idx_advise_statements, written once.
 */
void
ia_check_query_count(int n, bool statements)
{
	if (n <= ia_max_queries_per_index())
		return;
	if (statements)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot advise on more than %d statements at once",
						ia_max_queries_per_index()),
				 errdetail("%d statements were given; index_advisor.max_queries_per_index is %d.",
						   n, ia_max_queries_per_index()),
				 errhint("Ask for fewer top statements, or ask a superuser to raise index_advisor.max_queries_per_index.")));
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("cannot store more than %d queries for one index",
					ia_max_queries_per_index()),
			 errdetail("%d queries were given; index_advisor.max_queries_per_index is %d.",
					   n, ia_max_queries_per_index()),
			 errhint("Keep the queries the index is for, or ask a superuser to raise index_advisor.max_queries_per_index.")));
}

/*
 * ia_query_too_long -- is the query text (a text Datum) longer than
 * index_advisor.max_query_bytes?  Asked before anything parses it.
 */
bool
ia_query_too_long(Datum query)
{
	return VARSIZE_ANY_EXHDR(DatumGetPointer(query)) >
		(size_t) ia_max_query_bytes();
}

/*
 * check_query_limits -- the stored queries of one request, before any is
 * parsed: none null, at most index_advisor.max_queries_per_index of them,
 * each at most index_advisor.max_query_bytes long.
 */
static void
check_query_limits(Datum *elems, bool *nulls, int n)
{
	ia_check_query_count(n, false);
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("query %d is null", i + 1)));
		if (ia_query_too_long(elems[i]))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("query %d is too long", i + 1),
					 errdetail("It is %zu bytes long; index_advisor.max_query_bytes is %d.",
							   (size_t) VARSIZE_ANY_EXHDR(DatumGetPointer(elems[i])),
							   ia_max_query_bytes()),
					 errhint("Store the query with its constants replaced by $n parameters, or ask a superuser to raise index_advisor.max_query_bytes.")));
	}
}

/*
 * ia_check_queries -- every stored query must be one plannable SELECT,
 * INSERT, UPDATE or DELETE, $n parameters allowed.  Checked here for its
 * shape, then planned through the check of stored queries
 * (src/check/verify_queries.c, on src/plan's one planner path) (as the caller with its search_path, under the rule of who plans
 * as whom, in a subtransaction that is rolled back).  Never executed.
 */
void
ia_check_queries(ArrayType *queries)
{
	char	  **texts;
	int			n;
	IaVerifyTarget target;
	IaQueryResult *results;

	if (queries == NULL)
		return;
	texts = ia_query_texts(queries, &n);
	memset(&target, 0, sizeof(target));
	target.role = GetUserId();
	target.search_path = namespace_search_path;
	results = palloc0(sizeof(IaQueryResult) * (n + 1));
	ia_verify_queries(&target, n, texts, IA_VERIFY_APPLY | IA_VERIFY_RETHROW,
					  results);
}

/*
 * ia_query_texts -- the texts of an array of queries, checked for their
 * shape and limits as idx_apply checks stored queries (not planned).
 */
char	  **
ia_query_texts(ArrayType *queries, int *nqueries)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **texts;
	int			n;
	int			i;

	if (ARR_NDIM(queries) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("queries must be a one-dimensional array")));
	deconstruct_array(queries, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	check_query_limits(elems, nulls, n);
	texts = palloc0(sizeof(char *) * (n + 1));

	for (i = 0; i < n; i++)
	{
		char	   *sql;
		List	   *raw;
		Node	   *stmt;
		ErrorContextCallback errcb;

		sql = TextDatumGetCString(elems[i]);
		IA_ERRCONTEXT_PUSH(errcb, sql);
		raw = raw_parser(sql, RAW_PARSE_DEFAULT);
		IA_ERRCONTEXT_POP(errcb);
		if (list_length(raw) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("query %d must be exactly one statement", i + 1),
					 errdetail("It holds %d statements.", list_length(raw))));
		stmt = linitial_node(RawStmt, raw)->stmt;
		if (!(IsA(stmt, SelectStmt) || IsA(stmt, InsertStmt) ||
			  IsA(stmt, UpdateStmt) || IsA(stmt, DeleteStmt)) ||
			(IsA(stmt, SelectStmt) && ((SelectStmt *) stmt)->intoClause != NULL))
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("query %d is not a SELECT, INSERT, UPDATE or DELETE statement",
							i + 1),
					 IsA(stmt, SelectStmt) ?
					 errdetail("SELECT INTO creates a table.") :
					 errdetail("It is %s.", CreateCommandName(stmt))));

		(void) param_number_walker(stmt, NULL);
		texts[i] = sql;
	}
	*nqueries = n;
	return texts;
}

/*
 * ia_choose_index_name -- the name PostgreSQL would give an index of the
 * raw statement "stmt" on relation "relid" (used for the index of each
 * partition).  No parse analysis: expression columns are named from the
 * raw expression, as transformIndexStmt() does before transforming.
 */
char *
ia_choose_index_name(Oid relid, IndexStmt *stmt)
{
	IndexStmt  *copy = copyObject(stmt);
	Relation	rel = table_open(relid, AccessShareLock);
	List	   *all = list_concat_copy(copy->indexParams, copy->indexIncludingParams);
	ListCell   *lc;
	char	   *name;

	foreach(lc, all)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->expr && elem->indexcolname == NULL)
			elem->indexcolname = FigureIndexColname(elem->expr);
	}
	name = choose_index_name(rel, copy, RelationGetNamespace(rel), true);
	table_close(rel, AccessShareLock);
	return name;
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
