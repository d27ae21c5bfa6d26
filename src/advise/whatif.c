/*-------------------------------------------------------------------------
 *
 * whatif.c
 *		SQL-callable idx_whatif(definitions, queries, params) and
 *		idx_hypo_size(definition): what the planner would do, and how big
 *		an index would be, if these indexes existed.
 *
 * Design.  Each definition becomes a hypothetical index (hypo.c: checked as
 * idx_apply checks it, same errors); each query is checked as idx_apply
 * checks a stored query (definition/queries.c: ia_query_texts: shape, limits,
 * one SELECT/INSERT/UPDATE/DELETE, never executed), prepared once
 * (plan_prepared.c, as the caller, under the rule of who plans as whom) and
 * planned twice: without the hypothetical indexes and with all of them
 * (once, with them, when the caller passes plan_before => false: the cost
 * "before" is then NULL; bench/whatif.sh times both against HypoPG).
 *
 * Drops.  A definition "DROP INDEX name[, ...]" names existing indexes to
 * plan without (checked as DROP INDEX checks them: they exist, unless IF
 * EXISTS, are indexes, and the caller owns them).  They are not dropped:
 * they go into the "hide" list of the engine's own planner call
 * (plan_hooks.c), the mechanism verify.c costs a plan "without" an index
 * with, so no other planning, of this session or another, loses them.  A
 * partitioned index is hidden with the indexes of all its partitions, as
 * DROP INDEX drops them.  The "before" plan hides nothing.
 * Work is bounded by index_advisor.max_queries_per_index (the number of
 * queries, and of definitions) and index_advisor.max_query_bytes.
 *
 * Caller's rules: none beyond SQL's; nothing is written, nothing executed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "index_advisor.h"
#include "ia_definition.h"
#include "ia_plan.h"

PG_FUNCTION_INFO_V1(idx_whatif);
PG_FUNCTION_INFO_V1(idx_hypo_size);

#define WHATIF_COLS 6

/* A text[] argument that must be given, one-dimensional and not empty. */
static void
check_array_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	ArrayType  *a;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what),
				 errhint("Pass an array, for example ARRAY['...'].")));
	a = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", what)));
	if (ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", what),
				 errhint("Give at least one.")));
}

typedef struct DefErrCtx
{
	int			n;
} DefErrCtx;

static void
definition_context(void *arg)
{
	errcontext("definition %d of idx_whatif", ((DefErrCtx *) arg)->n);
}

/* Does this definition start with the keyword DROP? */
static bool
is_drop(const char *def)
{
	while (*def == ' ' || *def == '\t' || *def == '\n' || *def == '\r')
		def++;
	return pg_strncasecmp(def, "drop", 4) == 0 &&
		(def[4] == ' ' || def[4] == '\t' || def[4] == '\n' || def[4] == '\r');
}

/*
 * The OIDs of the existing indexes a "DROP INDEX name[, ...]" names, with
 * their partitions' indexes, checked as DROP INDEX checks them.
 */
static List *
drop_targets(const char *def)
{
	List	   *raw = raw_parser(def, RAW_PARSE_DEFAULT);
	DropStmt   *drop;
	List	   *oids = NIL;
	ListCell   *lc;

	if (list_length(raw) != 1 ||
		!IsA(linitial_node(RawStmt, raw)->stmt, DropStmt) ||
		((DropStmt *) linitial_node(RawStmt, raw)->stmt)->removeType != OBJECT_INDEX)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("a definition that starts with DROP must be one DROP INDEX statement"),
				 errdetail("idx_whatif takes CREATE INDEX statements to add and DROP INDEX statements to plan without.")));
	drop = (DropStmt *) linitial_node(RawStmt, raw)->stmt;
	foreach(lc, drop->objects)
	{
		RangeVar   *rv = makeRangeVarFromNameList((List *) lfirst(lc));
		Oid			indexoid = RangeVarGetRelid(rv, AccessShareLock, true);
		char		relkind;

		if (!OidIsValid(indexoid))
		{
			if (drop->missing_ok)
				continue;
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("index \"%s\" does not exist", rv->relname)));
		}
		relkind = get_rel_relkind(indexoid);
		if (relkind != RELKIND_INDEX && relkind != RELKIND_PARTITIONED_INDEX)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not an index", rv->relname),
					 errhint("Use DROP INDEX with the name of an index.")));
		if (!pg_class_ownercheck(indexoid, GetUserId()))
			aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_INDEX, rv->relname);
		/* the index itself and, for a partitioned one, every partition's */
		oids = list_concat_unique_oid(oids,
									  find_all_inheritors(indexoid, AccessShareLock, NULL));
	}
	return oids;
}

/*
 * The hypothetical index of each CREATE INDEX definition, in order; the
 * indexes the DROP INDEX definitions name into *hide.
 */
static List *
hypo_indexes(ArrayType *defs, List **hide)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *hypos = NIL;
	DefErrCtx	ctx;
	ErrorContextCallback cb;

	deconstruct_array(defs, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	if (n > ia_max_queries_per_index())
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot try more than %d definitions at once",
						ia_max_queries_per_index()),
				 errdetail("%d definitions were given; index_advisor.max_queries_per_index is %d.",
						   n, ia_max_queries_per_index()),
				 errhint("Try fewer definitions per call.")));
	if (n > ia_hypo_oid_capacity())
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("cannot try more than %d definitions at once",
						ia_hypo_oid_capacity()),
				 errdetail("%d definitions were given; hypothetical indexes take their OIDs from the %d that PostgreSQL leaves free below 16384.",
						   n, ia_hypo_oid_capacity()),
				 errhint("Try fewer definitions per call.")));
	cb.callback = definition_context;
	cb.arg = &ctx;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	for (int i = 0; i < n; i++)
	{
		ctx.n = i + 1;
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("definition %d is null", i + 1)));
		if (is_drop(TextDatumGetCString(elems[i])))
			*hide = list_concat_unique_oid(*hide,
										   drop_targets(TextDatumGetCString(elems[i])));
		else
			hypos = lappend(hypos,
							ia_hypo_from_definition(TextDatumGetCString(elems[i])));
	}
	error_context_stack = cb.previous;
	return hypos;
}

/* $n values as text, NULL when params is NULL (a generic plan). */
static char **
param_values(FunctionCallInfo fcinfo, bool **nulls, int *n)
{
	Datum	   *elems;
	char	  **values;

	*n = 0;
	if (PG_ARGISNULL(2))
		return NULL;
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, -1, false,
					  TYPALIGN_INT, &elems, nulls, n);
	values = palloc0(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
		values[i] = (*nulls)[i] ? NULL : TextDatumGetCString(elems[i]);
	return values;
}

/* uses: the definitions (as given, in their order) that the plan uses */
static Datum
uses_array(List *hypos, IaPlanned *after)
{
	Datum	   *d = palloc(sizeof(Datum) * (list_length(hypos) + 1));
	int			n = 0;
	ListCell   *lc;

	foreach(lc, hypos)
	{
		IaHypoIndex *h = (IaHypoIndex *) lfirst(lc);

		if (list_member_ptr(after->used_hypos, h))
			d[n++] = CStringGetTextDatum(h->definition);
	}
	return PointerGetDatum(construct_array(d, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

typedef struct QueryErrCtx
{
	int			n;
	const char *query;
} QueryErrCtx;

/* positions point into the query text, as in SQL functions */
static void
query_context(void *arg)
{
	QueryErrCtx *c = (QueryErrCtx *) arg;

	(void) ia_internal_errposition(c->query);
	errcontext("query %d of idx_whatif", c->n);
}

/*
 * One result row: the query planned without, then with, the indexes; with
 * "plan_before" false, only with them (cost_before NULL).
 */
static void
whatif_one(ReturnSetInfo *rsinfo, int n, const char *query, List *hypos,
		   List *hide, char **values, bool *vnulls, int nvalues,
		   bool plan_before)
{
	QueryErrCtx ectx = {n, query};
	ErrorContextCallback cb = {error_context_stack, query_context, &ectx};
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "index_advisor whatif",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	IaPrepared *p;
	ParamListInfo params = NULL;
	List	   *sets[2];
	IaPlanned	planned[2];
	IaPlanned  *before = &planned[0];
	IaPlanned  *after = &planned[1];
	Datum		v[WHATIF_COLS];
	bool		nulls[WHATIF_COLS] = {false};

	error_context_stack = &cb;
	p = ia_prepare(query, cxt);
	if (values != NULL)
		params = ia_prepared_params(p, values, vnulls, nvalues);
	/* without, then with (its EXPLAIN text), in one subtransaction */
	sets[0] = NIL;
	sets[1] = hypos;
	if (!plan_before)
		ia_plan_prepared(p, hypos, hide, params, IA_PLAN_EXPLAIN, after);
	else if (hide == NIL)
		ia_plan_batch(p, 2, sets, NIL, params,
					  IA_PLAN_EXPLAIN | IA_PLAN_EXPLAIN_LAST, planned);
	else
	{
		/* "before" keeps every index; "after" plans without the dropped */
		ia_plan_prepared(p, NIL, NIL, params, 0, before);
		ia_plan_prepared(p, hypos, hide, params, IA_PLAN_EXPLAIN, after);
	}
	error_context_stack = cb.previous;

	v[0] = CStringGetTextDatum(query);
	v[1] = Float8GetDatum(plan_before ? before->total_cost : 0.0);
	nulls[1] = !plan_before;
	v[2] = Float8GetDatum(after->total_cost);
	v[3] = uses_array(hypos, after);
	if (after->used_scans != NIL)
		v[4] = CStringGetTextDatum((const char *) linitial(after->used_scans));
	else
		nulls[4] = true;
	v[5] = CStringGetTextDatum(after->plan);
	MemoryContextSwitchTo(old);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	MemoryContextDelete(cxt);
}

/*
 * idx_whatif(definitions text[], queries text[], params text[] DEFAULT NULL,
 *            plan_before boolean DEFAULT true)
 * RETURNS TABLE(query text, cost_before float8, cost_after float8,
 *               uses text[], scan text, plan text)
 *
 * Each definition is checked once per call, each query analysed once and
 * planned once without the indexes (cost_before; not with plan_before =>
 * false, the one planning HypoPG's create + EXPLAIN does) and once with
 * them.
 */
Datum
idx_whatif(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *hypos;
	List	   *hide = NIL;
	char	  **texts;
	int			nqueries;
	char	  **values;
	bool	   *vnulls = NULL;
	int			nvalues;
	bool		plan_before;

	/* the extension's schema, for what reads its tables; the queue itself is
	 * not asked about names or duplicates (hypo.c, doc/whatif.md) */
	ia_queue_set_schema(get_func_namespace(fcinfo->flinfo->fn_oid));
	check_array_arg(fcinfo, 0, "definitions");
	check_array_arg(fcinfo, 1, "queries");
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("plan_before must not be null"),
				 errhint("Pass true (the default) or false.")));
	plan_before = PG_GETARG_BOOL(3);
	texts = ia_query_texts(PG_GETARG_ARRAYTYPE_P(1), &nqueries);
	hypos = hypo_indexes(PG_GETARG_ARRAYTYPE_P(0), &hide);
	values = param_values(fcinfo, &vnulls, &nvalues);

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < nqueries; i++)
	{
		CHECK_FOR_INTERRUPTS();
		whatif_one(rsinfo, i + 1, texts[i], hypos, hide, values, vnulls, nvalues,
				   plan_before);
	}
	return (Datum) 0;
}

/* idx_hypo_size(definition text) RETURNS bigint: estimated bytes */
Datum
idx_hypo_size(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("definition must not be null")));
	ia_queue_set_schema(get_func_namespace(fcinfo->flinfo->fn_oid));
	PG_RETURN_INT64(ia_hypo_size(ia_hypo_from_definition(text_to_cstring(PG_GETARG_TEXT_PP(0)))));
}
