/*-------------------------------------------------------------------------
 *
 * planning_role.c
 *		Who plans as whom: the planning role of a stored or analysed query
 *		(doc/safety-planning.md), and the relations a query reads.
 *
 * Caller's rules: pass the rewritten Query list (ia_analyze_query); the
 * caller switches to the role returned (ia_become), under
 * SECURITY_RESTRICTED_OPERATION, inside its planning subtransaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "executor/functions.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "ia_plan.h"

/* ---------------------------------------------------------------------
 * Who plans as whom
 *
 * Planning runs code: the planner folds IMMUTABLE functions with constant
 * arguments, in the query and in the index expressions, predicates,
 * defaults and constraints of every table it touches (views, partitions
 * and inheritance children included).  That code belongs to the owners of
 * those tables and functions, and the query text to the role that asked.
 * A query is planned as the least privileged of these roles that every
 * other one has the privileges of; when there is none, it is not planned
 * (42501).  A superuser has every role's privileges, so objects owned by a
 * superuser (the built-in functions) never stand in the way.
 * ---------------------------------------------------------------------
 */
typedef struct CodeOwners
{
	List	   *relids;			/* relations read, before expansion */
	List	   *funcids;		/* functions called, SQL bodies included */
	List	   *bodies;			/* SQL functions whose body was walked */
} CodeOwners;

static bool collect_walker(Node *node, CodeOwners *c);

static bool
collect_func(Oid funcid, void *ctx)
{
	CodeOwners *c = (CodeOwners *) ctx;

	c->funcids = list_append_unique_oid(c->funcids, funcid);
	return false;
}

/* The Query list of an SQL function's body, analysed as the planner would. */
static List *
sql_body_queries(HeapTuple tup, FuncExpr *fexpr)
{
	bool		isnull;
	Datum		body = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosqlbody,
									   &isnull);
	List	   *queries = NIL;
	ListCell   *lc;

	if (!isnull)
	{
		/* BEGIN ATOMIC or RETURN: analysed, to be rewritten (views) */
		Node	   *n = stringToNode(TextDatumGetCString(body));
		List	   *stored = IsA(n, List) ?
			linitial_node(List, castNode(List, n)) : list_make1(n);

		foreach(lc, stored)
		{
			Query	   *q = lfirst_node(Query, lc);

			AcquireRewriteLocks(q, true, false);
			queries = list_concat(queries, pg_rewrite_query(q));
		}
	}
	else
	{
		char	   *src = TextDatumGetCString(SysCacheGetAttr(PROCOID, tup,
															  Anum_pg_proc_prosrc,
															  &isnull));
		SQLFunctionParseInfoPtr pinfo =
			prepare_sql_fn_parse_info(tup, (Node *) fexpr, fexpr->inputcollid);

		foreach(lc, pg_parse_query(src))
			queries = list_concat(queries,
								  pg_analyze_and_rewrite_withcb(lfirst_node(RawStmt, lc),
																src,
																(ParserSetupHook) sql_fn_parser_setup,
																pinfo, NULL));
	}
	return queries;
}

/*
 * The planner inlines SQL functions (a set-returning one in FROM brings its
 * tables into the plan): walk the body of every SQL function the query
 * calls, once per function, over-approximating what the planner inlines.
 */
static void
collect_sql_body(FuncExpr *fexpr, CodeOwners *c)
{
	HeapTuple	tup;
	List	   *queries;

	if (list_member_oid(c->bodies, fexpr->funcid))
		return;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fexpr->funcid));
	if (!HeapTupleIsValid(tup))
		return;
	if (((Form_pg_proc) GETSTRUCT(tup))->prolang != SQLlanguageId)
	{
		ReleaseSysCache(tup);
		return;
	}
	c->bodies = lappend_oid(c->bodies, fexpr->funcid);
	queries = sql_body_queries(tup, fexpr);
	ReleaseSysCache(tup);
	(void) collect_walker((Node *) queries, c);
}

/* Every relation and function of a rewritten query, sub-queries included. */
static bool
collect_walker(Node *node, CodeOwners *c)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, collect_walker, c,
								 QTW_EXAMINE_RTES_BEFORE);
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		/* a view's RTE, and the *OLD* entry the rewriter leaves for it */
		if (OidIsValid(rte->relid))
			c->relids = list_append_unique_oid(c->relids, rte->relid);
		return false;
	}
	if (IsA(node, FuncExpr))
		collect_sql_body((FuncExpr *) node, c);
	(void) check_functions_in_node(node, collect_func, c);
	return expression_tree_walker(node, collect_walker, c);
}

typedef struct OwnedObject
{
	Oid			owner;
	char		kind;			/* 'r' relation, 'f' function */
	Oid			oid;
} OwnedObject;

/* The relations a rewritten Query list reads (SQL function bodies too). */
List *
ia_query_relids(List *queries)
{
	CodeOwners	c = {NIL, NIL, NIL};

	(void) collect_walker((Node *) queries, &c);
	return c.relids;
}

static List *
owned_objects(List *queries)
{
	CodeOwners c = {NIL, NIL, NIL};
	List	   *objects = NIL;
	List	   *rels = NIL;
	ListCell   *lc;

	(void) collect_walker((Node *) queries, &c);
	/* a partitioned or inherited table is planned with its children */
	foreach(lc, c.relids)
	{
		Oid			relid = lfirst_oid(lc);

		if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE ||
			has_subclass(relid))
			rels = list_concat_unique_oid(rels,
										  find_all_inheritors(relid, AccessShareLock, NULL));
		else
			rels = list_append_unique_oid(rels, relid);
	}
	foreach(lc, rels)
	{
		HeapTuple	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(lfirst_oid(lc)));
		OwnedObject *o;

		if (!HeapTupleIsValid(tup))
			continue;
		o = palloc(sizeof(OwnedObject));
		o->owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
		o->kind = 'r';
		o->oid = lfirst_oid(lc);
		objects = lappend(objects, o);
		ReleaseSysCache(tup);
	}
	foreach(lc, c.funcids)
	{
		HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(lfirst_oid(lc)));
		OwnedObject *o;

		if (!HeapTupleIsValid(tup))
			continue;
		o = palloc(sizeof(OwnedObject));
		o->owner = ((Form_pg_proc) GETSTRUCT(tup))->proowner;
		o->kind = 'f';
		o->oid = lfirst_oid(lc);
		objects = lappend(objects, o);
		ReleaseSysCache(tup);
	}
	return objects;
}

/* Does every owner (and the requester) have the privileges of "role"? */
static OwnedObject *
first_stronger_than(Oid role, Oid requester, List *objects)
{
	static OwnedObject requester_obj;
	ListCell   *lc;

	if (!has_privs_of_role(requester, role))
	{
		requester_obj.owner = requester;
		requester_obj.kind = 'q';
		requester_obj.oid = InvalidOid;
		return &requester_obj;
	}
	foreach(lc, objects)
	{
		OwnedObject *o = (OwnedObject *) lfirst(lc);

		if (!has_privs_of_role(o->owner, role))
			return o;
	}
	return NULL;
}

static char *
describe_object(OwnedObject *o)
{
	if (o->kind == 'r')
		return psprintf("%s \"%s.%s\"",
						get_rel_relkind(o->oid) == RELKIND_VIEW ? "view" : "table",
						get_namespace_name(get_rel_namespace(o->oid)),
						get_rel_name(o->oid));
	return psprintf("function %s", format_procedure(o->oid));
}

/*
 * ia_planning_role -- the role a stored query of "requester" is planned as,
 * given its rewritten Query list: the requester or the owner of one of the
 * objects it reads, whose privileges every one of those owners has.
 * ERROR 42501 when there is none, naming an object and its owner.
 */
Oid
ia_planning_role(Oid requester, List *queries)
{
	List	   *objects = owned_objects(queries);
	OwnedObject *blocker;
	OwnedObject *other;
	ListCell   *lc;

	blocker = first_stronger_than(requester, requester, objects);
	if (blocker == NULL)
		return requester;
	foreach(lc, objects)
	{
		OwnedObject *o = (OwnedObject *) lfirst(lc);

		if (first_stronger_than(o->owner, requester, objects) == NULL)
			return o->owner;
	}
	/* name an owner and a role that does not have its privileges */
	other = first_stronger_than(blocker->owner, requester, objects);
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("stored query reads %s, owned by role \"%s\", which index_advisor cannot plan as role \"%s\"",
					describe_object(blocker),
					GetUserNameFromId(blocker->owner, false),
					GetUserNameFromId(requester, false)),
			 errdetail("Planning runs the code of the tables and functions a query reads, so it runs as a role whose privileges every owner of them and the requester have; role \"%s\" does not have the privileges of role \"%s\".",
					   GetUserNameFromId(other ? other->owner : requester, false),
					   GetUserNameFromId(blocker->owner, false)),
			 errhint("Store queries that read only tables and functions of roles whose privileges you have, or grant role \"%s\" to role \"%s\".",
					 GetUserNameFromId(blocker->owner, false),
					 GetUserNameFromId(other ? other->owner : requester, false))));
	return InvalidOid;			/* keep compiler quiet */
}
