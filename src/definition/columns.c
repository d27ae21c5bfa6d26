/*-------------------------------------------------------------------------
 *
 * columns.c
 *		Resolve the key and INCLUDE columns of a CREATE INDEX statement into
 *		the form pg_index will hold (IaResolvedIndex), as ComputeIndexAttrs().
 *
 * Design: each column is a column by name, a parenthesised column or an
 * expression; its collation, operator class (the default ones remembered,
 * forgotten when pg_opclass changes), options and ordering are resolved as
 * DefineIndex() would.  Expressions and the predicate are folded as the
 * table's owner under SECURITY_RESTRICTED_OPERATION (begin_owner_code), or
 * left as written for an advisor's candidate (see resolve.c's header).
 * ia_index_folded_form hands out an existing index's expressions and
 * predicate folded the same way.
 *
 * Caller's rules: inside a transaction, the table locked (resolve.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/reloptions.h"
#include "catalog/namespace.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/inval.h"
#include "utils/syscache.h"

#include "definition_internal.h"

/* Who runs an index's code (becomes the owner; back with end_owner_code). */
typedef struct OwnerCode
{
	Oid			save_user;
	int			save_sec;
	int			nestlevel;
} OwnerCode;

/*
 * Run as "owner" (a table's) under SECURITY_RESTRICTED_OPERATION in a new
 * GUC nest level, as DefineIndex runs a definition's code and ANALYZE an
 * index's: an index's expressions are its table owner's code.  An error
 * leaves it to the (sub)transaction's abort, which restores both.
 */
static void
begin_owner_code(Oid owner, OwnerCode *sw)
{
	GetUserIdAndSecContext(&sw->save_user, &sw->save_sec);
	SetUserIdAndSecContext(owner, sw->save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	sw->nestlevel = NewGUCNestLevel();
}

static void
end_owner_code(OwnerCode *sw)
{
	AtEOXact_GUC(false, sw->nestlevel);
	SetUserIdAndSecContext(sw->save_user, sw->save_sec);
}

/*
 * expr (analysed) folded as rel's owner (begin_owner_code): through
 * expression_planner (which also inlines SQL functions, as DefineIndex
 * checks mutability) when "plan", else eval_const_expressions as the
 * relcache folds an index's expressions.
 */
static Node *
fold_as_owner(Relation rel, Node *expr, bool plan)
{
	OwnerCode sw;

	begin_owner_code(rel->rd_rel->relowner, &sw);
	expr = plan ? (Node *) expression_planner((Expr *) copyObject(expr)) :
		eval_const_expressions(NULL, copyObject(expr));
	end_owner_code(&sw);
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
	OwnerCode sw;

	*exprs = NIL;
	*pred = NIL;
	if (heap_attisnull(irel->rd_indextuple, Anum_pg_index_indexprs, NULL) &&
		heap_attisnull(irel->rd_indextuple, Anum_pg_index_indpred, NULL))
		return;
	begin_owner_code(irel->rd_rel->relowner, &sw);	/* the table's owner */
	*exprs = RelationGetIndexExpressions(irel);
	*pred = RelationGetIndexPredicate(irel);
	end_owner_code(&sw);
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
void
ia_resolve_columns(Relation rel, IndexStmt *stmt, Oid amid,
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
