/*-------------------------------------------------------------------------
 *
 * script.c
 *		idx_apply_script(script text, migration text): the SQL that the
 *		migration tools print (Django's sqlmigrate, alembic upgrade --sql,
 *		pg_dump --section=post-data), queued all or nothing.
 *
 * Design: the script is split with PostgreSQL's own raw parser (so
 * comments, dollar quoting and string escapes are read exactly as the
 * server reads them), then every statement is classified before anything
 * is queued:
 *
 *	queued    CREATE INDEX [CONCURRENTLY] [IF NOT EXISTS], DROP INDEX
 *			  [CONCURRENTLY] [IF EXISTS], and SELECT [schema.]idx_apply(...)
 *			  with constant arguments (what the Django operations print;
 *			  visible => false, as idx_export writes a hidden index);
 *	honoured  SET search_path, RESET, SELECT pg_catalog.set_config(
 *			  'search_path', ...): names that follow resolve as psql would
 *			  resolve them; the setting is restored when the call ends;
 *	skipped   BEGIN, START TRANSACTION, COMMIT, END, other SET commands,
 *			  the tools' bookkeeping (CREATE TABLE, INSERT, UPDATE,
 *			  DELETE, DROP TABLE of alembic_version or django_migrations),
 *			  and pg_dump's psql lines \restrict and \unrestrict;
 *	refused   anything else, with SQLSTATE 0A000, the statement shown and
 *			  its line in the script (error context); nothing is queued.
 *
 * Each CREATE INDEX goes through idx_apply's own validation and queue
 * (api.c: ia_apply), each DROP INDEX through idx_rollback's (ia_drop_index),
 * so a script can do nothing that those functions refuse.  All of it runs
 * in the caller's transaction: any error undoes every row queued before it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parser.h"
#include "parser/scansup.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "index_advisor.h"
#include "ia_build.h"
#include "ia_script.h"
#include "ia_plan.h"
#include "ia_queue.h"

PG_FUNCTION_INFO_V1(idx_apply_script);

typedef enum ScriptAction
{
	SA_SKIP,					/* understood, nothing to do */
	SA_SEARCH_PATH,				/* set search_path to "value" (NULL: reset) */
	SA_CREATE,					/* CREATE INDEX: the statement's text */
	SA_APPLY_CALL,				/* SELECT idx_apply(...) */
	SA_DROP						/* DROP INDEX */
} ScriptAction;

/* One statement of the script. */
typedef struct ScriptStmt
{
	int			n;				/* 1-based number in the script */
	int			line;			/* line of its first token */
	char	   *text;			/* its text, from the first token */
	Node	   *stmt;
	ScriptAction action;
	char	   *value;			/* SA_SEARCH_PATH */
	char	   *definition;		/* SA_APPLY_CALL */
	ArrayType  *queries;		/* SA_APPLY_CALL */
	char	   *migration;		/* SA_APPLY_CALL */
	bool		hidden;			/* SA_APPLY_CALL: visible => false */
} ScriptStmt;

/* Byte offset of the 1-based character position "pos" in "s". */
static int
char_to_byte(const char *s, int pos)
{
	int			off = 0;

	while (--pos > 0 && s[off] != '\0')
		off += pg_mblen(s + off);
	return off;
}

static int
line_of(const char *s, int off)
{
	int			line = 1;

	for (int i = 0; i < off && s[i] != '\0'; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/*
 * A syntax error: show the line of the script it is on (not the whole
 * script, which may be long), with the position in it, and its number.
 */
static void
parse_errcallback(void *arg)
{
	const char *script = (const char *) arg;
	int			pos = geterrposition();
	int			off,
				start,
				end;

	if (pos <= 0)
		return;
	off = char_to_byte(script, pos);
	for (start = off; start > 0 && script[start - 1] != '\n'; start--)
		;
	for (end = off; script[end] != '\0' && script[end] != '\n'; end++)
		;
	errposition(0);
	internalerrquery(pnstrdup(script + start, end - start));
	internalerrposition(pg_mbstrlen_with_len(script + start, off - start) + 1);
	errcontext("idx_apply_script, line %d", line_of(script, off));
}

/*
 * An error (or notice) about one statement: the statement is the query
 * shown, positioned where the error says or at its start, and the context
 * names its number and line in the script.
 */
static void
stmt_errcallback(void *arg)
{
	ScriptStmt *st = (ScriptStmt *) arg;

	if (!ia_internal_errposition(st->text) &&
		getinternalerrposition() <= 0)
	{
		internalerrquery(st->text);
		internalerrposition(1);
	}
	errcontext("idx_apply_script, statement %d at line %d", st->n, st->line);
}

/* Skip white space and comments (nested C-style ones too) from "off". */
static int
skip_space_and_comments(const char *s, int off)
{
	for (;;)
	{
		while (s[off] != '\0' && scanner_isspace(s[off]))
			off++;
		if (s[off] == '-' && s[off + 1] == '-')
		{
			while (s[off] != '\0' && s[off] != '\n')
				off++;
		}
		else if (s[off] == '/' && s[off + 1] == '*')
		{
			int			depth = 1;

			off += 2;
			while (s[off] != '\0' && depth > 0)
			{
				if (s[off] == '/' && s[off + 1] == '*')
					depth++, off++;
				else if (s[off] == '*' && s[off + 1] == '/')
					depth--, off++;
				off++;
			}
		}
		else
			return off;
	}
}

/*
 * pg_dump (since 15.14) brackets its output with the psql meta-commands
 * "\restrict KEY" and "\unrestrict KEY", each on a line of its own: blank
 * those lines out (positions and line numbers stay as they are).  Any other
 * backslash command is left to the parser, which refuses it.
 */
static void
blank_psql_restrict(char *s)
{
	char	   *line = s;

	while (*line != '\0')
	{
		char	   *end = strchr(line, '\n');
		char	   *p = line;

		if (end == NULL)
			end = line + strlen(line);
		if (strncmp(p, "\\restrict ", 10) == 0)
			p += 10;
		else if (strncmp(p, "\\unrestrict ", 12) == 0)
			p += 12;
		if (p != line)
		{
			while (p < end && (isalnum((unsigned char) *p) || *p == ' ' || *p == '\r'))
				p++;
			if (p == end)
				memset(line, ' ', end - line);
		}
		line = *end ? end + 1 : end;
	}
}

/* The statements of the script, with their text and line. */
static List *
split_script(char *script)
{
	ErrorContextCallback errcb;
	List	   *raw;
	List	   *result = NIL;
	ListCell   *lc;
	int			n = 0;

	blank_psql_restrict(script);
	errcb.callback = parse_errcallback;
	errcb.arg = (void *) script;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	raw = raw_parser(script, RAW_PARSE_DEFAULT);
	error_context_stack = errcb.previous;

	foreach(lc, raw)
	{
		RawStmt    *rs = lfirst_node(RawStmt, lc);
		ScriptStmt *st = palloc0(sizeof(ScriptStmt));
		int			start = skip_space_and_comments(script, rs->stmt_location);
		int			end = rs->stmt_len > 0 ? rs->stmt_location + rs->stmt_len :
			(int) strlen(script);

		while (end > start && scanner_isspace(script[end - 1]))
			end--;
		st->n = ++n;
		st->line = line_of(script, start);
		st->text = pnstrdup(script + start, end - start);
		st->stmt = rs->stmt;
		result = lappend(result, st);
	}
	return result;
}

static void
refuse(ScriptStmt *st, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("idx_apply_script does not run %s statements", what),
			 errdetail("A script may hold CREATE INDEX and DROP INDEX statements, calls of idx_apply(), BEGIN, COMMIT, SET, comments and the bookkeeping of Alembic and Django; nothing of it was queued."),
			 errhint("Run that statement yourself, or remove it from the script.")));
}

/*
 * A setting the script changes: search_path is honoured, standard-
 * conforming strings must stay as they are (the script was already read),
 * roles are not changed, anything else is skipped.
 */
static void
classify_setting(ScriptStmt *st, const char *name, char *value, bool reset)
{
	if (pg_strcasecmp(name, "search_path") == 0)
	{
		st->action = SA_SEARCH_PATH;
		st->value = reset ? NULL : value;
	}
	else if (pg_strcasecmp(name, "role") == 0 ||
			 pg_strcasecmp(name, "session_authorization") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("idx_apply_script does not change roles"),
				 errdetail("Every index of a script is requested by the role that calls idx_apply_script; nothing of it was queued."),
				 errhint("Remove the statement, and call idx_apply_script as the role that should own the requests.")));
	else if (pg_strcasecmp(name, "standard_conforming_strings") == 0 && !reset)
	{
		bool		on;

		if (value == NULL || !parse_bool(value, &on) || on != standard_conforming_strings)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("idx_apply_script cannot change \"standard_conforming_strings\""),
					 errdetail("The whole script is read with the value of this session, which is \"%s\"; nothing of it was queued.",
							   standard_conforming_strings ? "on" : "off"),
					 errhint("Set it before calling idx_apply_script.")));
	}
	else
		st->action = SA_SKIP;
}

/* A string constant (or NULL), possibly cast; false if not a constant. */
static bool
const_string(Node *n, char **out)
{
	if (IsA(n, TypeCast))
		n = ((TypeCast *) n)->arg;
	if (!IsA(n, A_Const))
		return false;
	if (((A_Const *) n)->isnull)
	{
		*out = NULL;
		return true;
	}
	if (!IsA(&((A_Const *) n)->val, String))
		return false;
	*out = strVal(&((A_Const *) n)->val);
	return true;
}

/* The queries argument of idx_apply(): NULL, ARRAY['...'] or '{...}'. */
static bool
const_queries(Node *n, ArrayType **out)
{
	char	   *s;

	*out = NULL;
	if (IsA(n, TypeCast) && IsA(((TypeCast *) n)->arg, A_ArrayExpr))
		n = ((TypeCast *) n)->arg;
	if (IsA(n, A_ArrayExpr))
	{
		List	   *elems = ((A_ArrayExpr *) n)->elements;
		Datum	   *d = palloc(sizeof(Datum) * Max(1, list_length(elems)));
		int			i = 0;
		ListCell   *lc;

		foreach(lc, elems)
		{
			if (!const_string(lfirst(lc), &s) || s == NULL)
				return false;
			d[i++] = CStringGetTextDatum(s);
		}
		*out = construct_array(d, i, TEXTOID, -1, false, TYPALIGN_INT);
		return true;
	}
	if (!const_string(n, &s))
		return false;
	if (s != NULL)
		*out = DatumGetArrayTypeP(OidFunctionCall3(F_ARRAY_IN, CStringGetDatum(s),
												   ObjectIdGetDatum(TEXTOID),
												   Int32GetDatum(-1)));
	return true;
}

/* The one function call of "SELECT f(...)", or NULL. */
static FuncCall *
single_call(Node *node)
{
	SelectStmt *s;
	ResTarget  *rt;

	if (!IsA(node, SelectStmt))
		return NULL;
	s = (SelectStmt *) node;
	if (s->op != SETOP_NONE || list_length(s->targetList) != 1 ||
		s->fromClause || s->whereClause || s->intoClause || s->groupClause ||
		s->havingClause || s->windowClause || s->valuesLists ||
		s->sortClause || s->limitCount || s->limitOffset ||
		s->lockingClause || s->withClause || s->distinctClause)
		return NULL;
	rt = linitial_node(ResTarget, s->targetList);
	if (!IsA(rt->val, FuncCall))
		return NULL;
	return (FuncCall *) rt->val;
}

/* Is "call" a call of "name", unqualified or in schema "schema"? */
static bool
call_of(FuncCall *call, const char *schema, const char *name)
{
	List	   *fn = call->funcname;

	if (call->agg_order || call->agg_filter || call->over ||
		call->agg_star || call->agg_distinct || call->func_variadic ||
		strcmp(strVal(llast(fn)), name) != 0)
		return false;
	return list_length(fn) == 1 ||
		(list_length(fn) == 2 && strcmp(strVal(linitial(fn)), schema) == 0);
}

/* SELECT set_config('name', 'value', is_local) */
static bool
classify_set_config(ScriptStmt *st, FuncCall *call)
{
	char	   *name;
	char	   *value;

	if (!call_of(call, "pg_catalog", "set_config") ||
		list_length(call->args) != 3 ||
		!const_string(linitial(call->args), &name) || name == NULL ||
		!const_string(lsecond(call->args), &value))
		return false;
	classify_setting(st, name, value, value == NULL);
	return true;
}

/* A boolean constant, or a string constant a boolean reads; false if not. */
static bool
const_bool(Node *n, bool *out)
{
	char	   *s;

	if (IsA(n, A_Const) && IsA(&((A_Const *) n)->val, Boolean))
	{
		*out = boolVal(&((A_Const *) n)->val);
		return true;
	}
	return const_string(n, &s) && s != NULL && parse_bool(s, out);
}

/*
 * SELECT idx_apply(definition, queries, migration), positional or named,
 * and visible => false (named only; idx_export writes it)
 */
static bool
classify_apply_call(ScriptStmt *st, FuncCall *call)
{
	static const char *const argnames[] = {"definition", "queries", "migration", "visible"};
	Node	   *args[4] = {NULL, NULL, NULL, NULL};
	ListCell   *lc;
	int			i = 0;
	bool		visible = true;

	if (!call_of(call, get_namespace_name(ia_queue_schema()), "idx_apply") ||
		list_length(call->args) > 4)
		return false;
	foreach(lc, call->args)
	{
		Node	   *arg = lfirst(lc);
		int			k = i++;

		if (IsA(arg, NamedArgExpr))
		{
			for (k = 0; k < 4; k++)
				if (strcmp(((NamedArgExpr *) arg)->name, argnames[k]) == 0)
					break;
			if (k == 4 || args[k] != NULL)
				return false;
			arg = (Node *) ((NamedArgExpr *) arg)->arg;
		}
		else if (k == 3)
			return false;
		args[k] = arg;
	}
	if (args[0] == NULL || !const_string(args[0], &st->definition) ||
		(args[1] != NULL && !const_queries(args[1], &st->queries)) ||
		(args[2] != NULL && !const_string(args[2], &st->migration)) ||
		(args[3] != NULL && !const_bool(args[3], &visible)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("idx_apply_script runs idx_apply() only with constant arguments"),
				 errdetail("A definition, an array of queries and a migration label, each a constant or NULL, and visible, a constant; nothing of the script was queued.")));
	st->hidden = !visible;
	st->action = SA_APPLY_CALL;
	return true;
}

/* A relation of the tools' own bookkeeping, which a script may touch. */
static bool
bookkeeping(RangeVar *rv)
{
	return rv != NULL &&
		(strcmp(rv->relname, "alembic_version") == 0 ||
		 strcmp(rv->relname, "django_migrations") == 0);
}

static bool
bookkeeping_drop(DropStmt *ds)
{
	ListCell   *lc;

	if (ds->removeType != OBJECT_TABLE)
		return false;
	foreach(lc, ds->objects)
		if (!bookkeeping(makeRangeVarFromNameList(lfirst(lc))))
			return false;
	return true;
}

/* What to do with one statement; refuses what is not understood. */
static void
classify(ScriptStmt *st)
{
	Node	   *node = st->stmt;
	FuncCall   *call;

	st->action = SA_SKIP;
	switch (nodeTag(node))
	{
		case T_IndexStmt:
			st->action = SA_CREATE;
			return;
		case T_DropStmt:
			if (bookkeeping_drop((DropStmt *) node))
				return;
			if (((DropStmt *) node)->removeType != OBJECT_INDEX)
				break;
			if (((DropStmt *) node)->behavior == DROP_CASCADE)
				refuse(st, "DROP INDEX ... CASCADE");
			st->action = SA_DROP;
			return;
		case T_TransactionStmt:
			switch (((TransactionStmt *) node)->kind)
			{
				case TRANS_STMT_BEGIN:
				case TRANS_STMT_START:
				case TRANS_STMT_COMMIT:
					return;
				default:
					break;
			}
			break;
		case T_VariableSetStmt:
			{
				VariableSetStmt *vs = (VariableSetStmt *) node;

				if (vs->kind == VAR_SET_MULTI || vs->kind == VAR_SET_CURRENT)
					return;
				if (vs->kind == VAR_RESET_ALL)
					st->action = SA_SEARCH_PATH;
				else
					classify_setting(st, vs->name, ExtractSetVariableArgs(vs),
									 vs->kind != VAR_SET_VALUE);
				return;
			}
		case T_InsertStmt:
			if (bookkeeping(((InsertStmt *) node)->relation))
				return;
			break;
		case T_UpdateStmt:
			if (bookkeeping(((UpdateStmt *) node)->relation))
				return;
			break;
		case T_DeleteStmt:
			if (bookkeeping(((DeleteStmt *) node)->relation))
				return;
			break;
		case T_CreateStmt:
			if (bookkeeping(((CreateStmt *) node)->relation))
				return;
			break;
		case T_SelectStmt:
			call = single_call(node);
			if (call != NULL &&
				(classify_set_config(st, call) || classify_apply_call(st, call)))
				return;
			break;
		default:
			break;
	}
	refuse(st, CreateCommandName(node));
}

/*
 * What DROP INDEX would refuse because of what depends on the index: say so
 * now, rather than let the worker fail the row later.
 */
static void
check_droppable(Oid indexoid, const char *name)
{
	Oid			conoid = get_index_constraint(indexoid);

	if (OidIsValid(conoid))
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop index \"%s\" because constraint \"%s\" requires it",
						name, get_constraint_name(conoid)),
				 errhint("Use ALTER TABLE ... DROP CONSTRAINT yourself.")));
	if (get_rel_relispartition(indexoid))
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("cannot drop index \"%s\" because it is the index of a partition", name),
				 errhint("Drop the index of the partitioned table instead.")));
}

/* DROP INDEX: queue the drop of each index named (ia_drop_index). */
static void
queue_drop_statement(ScriptStmt *st, const char *migration,
					 Tuplestorestate *ts, TupleDesc desc)
{
	DropStmt   *ds = (DropStmt *) st->stmt;
	ListCell   *lc;

	foreach(lc, ds->objects)
	{
		RangeVar   *rv = makeRangeVarFromNameList(lfirst(lc));
		Oid			relid = RangeVarGetRelidExtended(rv, AccessShareLock,
													 RVR_MISSING_OK, NULL, NULL);
		char		relkind = OidIsValid(relid) ? get_rel_relkind(relid) : '\0';
		Datum		value;
		bool		isnull = false;

		if (!OidIsValid(relid) && ds->missing_ok)
		{
			ereport(NOTICE,
					(errmsg("index \"%s\" does not exist, skipping", rv->relname)));
			continue;
		}
		if (!OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("index \"%s\" does not exist", rv->relname),
					 errdetail("Nothing of the script was queued.")));
		if (relkind != RELKIND_INDEX && relkind != RELKIND_PARTITIONED_INDEX)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not an index", rv->relname),
					 errhint("Use DROP %s yourself.",
							 relkind == RELKIND_VIEW ? "VIEW" : "TABLE")));
		check_droppable(relid, rv->relname);
		value = Int64GetDatum(ia_drop_index(relid, migration));
		tuplestore_putvalues(ts, desc, &value, &isnull);
	}
}

/* Run one classified statement: queue, set, or nothing. */
static void
run_stmt(ScriptStmt *st, const char *migration, Tuplestorestate *ts,
		 TupleDesc desc)
{
	int64		id = 0;

	switch (st->action)
	{
		case SA_SKIP:
			return;
		case SA_SEARCH_PATH:
			(void) set_config_option("search_path", st->value, PGC_USERSET,
									 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
			return;
		case SA_CREATE:
			id = ia_apply(st->text, NULL, migration, ia_build_priority(), 0);
			break;
		case SA_APPLY_CALL:
			if (st->hidden)
				ia_hidden_require_preload();
			id = ia_apply(st->definition, st->queries,
						  st->migration ? st->migration : migration,
						  ia_build_priority(), 0);
			if (st->hidden && id != 0)
				ia_hidden_pending(id);
			break;
		case SA_DROP:
			queue_drop_statement(st, migration, ts, desc);
			return;
	}
	if (id != 0)
	{
		Datum		value = Int64GetDatum(id);
		bool		isnull = false;

		tuplestore_putvalues(ts, desc, &value, &isnull);
	}
}

/*
 * idx_apply_script(script text, migration text DEFAULT NULL)
 *		RETURNS SETOF bigint
 *
 * Queue every CREATE INDEX and DROP INDEX of the script, labelled
 * "migration", all or nothing; returns the history ids in script order.
 * The search_path the script sets holds until the call ends.
 */
Datum
idx_apply_script(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *migration = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	List	   *stmts;
	ListCell   *lc;
	ErrorContextCallback errcb;
	int			nestlevel;

	ia_queue_set_schema(get_func_namespace(fcinfo->flinfo->fn_oid));
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("script must not be null")));
	ia_check_label(migration);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	stmts = split_script(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	errcb.callback = stmt_errcallback;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;
	/* every statement is understood before anything is queued */
	foreach(lc, stmts)
	{
		CHECK_FOR_INTERRUPTS();
		errcb.arg = lfirst(lc);
		classify((ScriptStmt *) lfirst(lc));
	}
	nestlevel = NewGUCNestLevel();
	foreach(lc, stmts)
	{
		CHECK_FOR_INTERRUPTS();
		errcb.arg = lfirst(lc);
		run_stmt((ScriptStmt *) lfirst(lc), migration, rsinfo->setResult,
				 rsinfo->setDesc);
	}
	AtEOXact_GUC(true, nestlevel);
	error_context_stack = errcb.previous;
	return (Datum) 0;
}
