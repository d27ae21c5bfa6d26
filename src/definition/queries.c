/*-------------------------------------------------------------------------
 *
 * queries.c
 *		The queries stored with a request: limits, shape, and planning them
 *		once through verify.c's path.
 *
 * Design: limits (index_advisor.max_queries_per_index, max_query_bytes, $n
 * numbers a client can bind) are checked before anything is parsed; each
 * query must be one SELECT, INSERT, UPDATE or DELETE.  ia_check_queries then
 * plans them as the caller through verify.c (never executed).
 *
 * Caller's rules: inside a transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "tcop/utility.h"
#include "utils/builtins.h"

#include "ia_check.h"
#include "definition_internal.h"

/* as many $n as the protocol can bind (PQ_QUERY_PARAM_MAX_LIMIT) */
#define IA_MAX_QUERY_PARAMS		65535

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
 * shape, then planned through verify.c's one planner path for stored
 * queries (as the caller with its search_path, under the rule of who plans
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
