/*-------------------------------------------------------------------------
 *
 * normalised.c
 *		Prepare a statement as pg_stat_statements stores it: its constants
 *		replaced by $n ("normalised"), a text PostgreSQL could run with its
 *		parameters bound but that does not always parse or analyse as it
 *		stands.  For idx_advise_workload() (advise_plan.c:
 *		ia_advise_prepare_query, the one place the advisor prepares a
 *		statement).
 *
 * Design.  Three shapes of normalised text fail where the statement ran:
 *
 *  - a typed literal whose constant became a parameter: "interval '7
 *    days'" is recorded as "interval $3" (also "date $1", "timestamptz
 *    $2", "timestamp with time zone $1", "numeric $1", "varchar(20) $1",
 *    "point $1"): a syntax error.  It is rewritten "$3::interval", which
 *    is what the literal meant.  The text is read with PostgreSQL's own
 *    scanner (scan.l: core_yylex), never with patterns over text, so a
 *    string, a comment or a quoted identifier is never taken for a type:
 *    a type name token (an identifier, possibly schema-qualified, or one
 *    of the type keywords, with its typmod in parentheses, or "double
 *    precision", "character varying", "time[stamp] with[out] time zone")
 *    immediately followed by a PARAM token is a typed literal, since no
 *    other valid SQL puts a type name or identifier right before a $n
 *    ("AT TIME ZONE $1" is not one: its "time zone" follows AT).  What
 *    follows the literal stays where it is ("interval $1 day" becomes
 *    "$1::interval day", a valid cast with its field).
 *
 *  - "extract(epoch from x)" is recorded as "extract($1 from x)", where
 *    the grammar takes no expression; it is the function it stands for,
 *    "pg_catalog.extract($1::text, x)".
 *
 *  - a parameter whose type PostgreSQL cannot infer: "current_date + 7" is
 *    recorded as "current_date + $2", and "date + unknown" is not unique
 *    (42725; PostgreSQL only assumes an unknown operand has the other's
 *    type, and there is no date + date); "due > current_date - $1" takes
 *    date - date and fails on "date > integer" (42883);
 *    "col = ANY(ARRAY[$1, $2])" makes a text[] (42883).  An ambiguous or
 *    missing operator or function (42725, 42883) gives the nearest bare
 *    $n of the operand right of the error's position (else left of it) a
 *    type, tried in order: integer, bigint, numeric,
 *    double precision, interval, text (a number literal is an integer, a
 *    bigint or a numeric; "date + $2" becomes "date + $2::integer", as
 *    "current_date + 7" was); "could not determine data type of parameter
 *    $n" (42P18: "SELECT $1") gives $n text, as an unknown literal
 *    resolves.  Each attempt is a parse analysis as the statement's role
 *    (ia_prepare, in a subtransaction of its own, rolled back on error);
 *    at most MAX_ATTEMPTS of them, and the first error is the one kept
 *    when none succeeds.
 *
 * The statement then keeps the rewritten text: its rows' "queries" show
 * it, and idx_apply accepts it as it stands.
 *
 * A constant the application sends (pg_qualstats' recorded value for the
 * column and operator a $n is compared with; values.c decides when one
 * may be used) on a column of few values (advise_plan.c) is put back into
 * the analysed statement and its text as the constant it was
 * (ia_bind_sent_value, ia_bind_sent_text), so that the statement is
 * advised on as it ran: "status = $2" sent as 'blocked' gets its partial
 * index, and idx_apply stores the statement that can use it.  The constants
 * come from idx_advise_workload's arguments (ia_attach_sent_values: it
 * reads pg_qualstats with the caller's rights).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "utils/lsyscache.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"

#include "ia_plan.h"
#include "advise_internal.h"
#include "ia_advise.h"

#define MAX_ATTEMPTS	24
#define MAX_PARAMS		65535	/* PostgreSQL's limit of $n */

/* the types tried in turn for a $n that has none */
static const Oid guess_types[] = {
	INT4OID, INT8OID, NUMERICOID, FLOAT8OID, INTERVALOID, TEXTOID
};

/* one token of the text: its code, where it starts, $n's number */
typedef struct Tok
{
	int			code;
	int			loc;
	int			param;
} Tok;

/* The tokens of text (core scanner), ended by a code 0 entry. */
static Tok *
tokens(const char *text, int *ntoks)
{
	core_yy_extra_type extra;
	core_yyscan_t scanner;
	core_YYSTYPE lval;
	YYLTYPE		lloc;
	int			n = 0;
	int			cap = 64;
	Tok		   *t = palloc(sizeof(Tok) * cap);

	scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
	for (;;)
	{
		int			code = core_yylex(&lval, &lloc, scanner);

		if (n + 1 >= cap)
			t = repalloc(t, sizeof(Tok) * (cap *= 2));
		t[n].code = code;
		t[n].loc = lloc;
		t[n].param = (code == PARAM) ? lval.ival : 0;
		if (code == 0)
			break;
		n++;
	}
	scanner_finish(scanner);
	*ntoks = n;
	return t;
}

static bool
is_code(Tok *t, int i, int code)
{
	return i >= 0 && t[i].code == code;
}

/* a keyword that names a type on its own ("interval", "numeric", ...) */
static bool
type_keyword(int code)
{
	switch (code)
	{
		case INTERVAL:
		case TIMESTAMP:
		case TIME:
		case NUMERIC:
		case DECIMAL_P:
		case DEC:
		case INT_P:
		case INTEGER:
		case SMALLINT:
		case BIGINT:
		case REAL:
		case FLOAT_P:
		case BOOLEAN_P:
		case CHAR_P:
		case CHARACTER:
		case VARCHAR:
		case BIT:
		case NCHAR:
			return true;
		default:
			return false;
	}
}

/*
 * The index of the first token of the type name that ends at token j (the
 * token right before a $n), or -1 when token j ends no type name.
 */
static int
type_start(Tok *t, int j)
{
	if (is_code(t, j, ')'))
	{
		int			depth = 0;

		/* a typmod: "varchar(20) $1", "numeric(10, 2) $1" */
		for (; j >= 0; j--)
		{
			if (t[j].code == ')')
				depth++;
			else if (t[j].code == '(' && --depth == 0)
				break;
		}
		j--;
		if (j < 0 || t[j].code == ')')
			return -1;
	}
	if (j < 0)
		return -1;
	if (t[j].code == IDENT)
	{
		/* schema.type */
		if (is_code(t, j - 1, '.') && is_code(t, j - 2, IDENT))
			return j - 2;
		return j;
	}
	if (t[j].code == ZONE)
		return (is_code(t, j - 1, TIME) &&
				(is_code(t, j - 2, WITH) || is_code(t, j - 2, WITHOUT)) &&
				(is_code(t, j - 3, TIMESTAMP) || is_code(t, j - 3, TIME))) ?
			j - 3 : -1;
	if (t[j].code == PRECISION)
		return is_code(t, j - 1, DOUBLE_P) ? j - 1 : -1;
	if (t[j].code == VARYING)
		return (is_code(t, j - 1, CHARACTER) || is_code(t, j - 1, CHAR_P) ||
				is_code(t, j - 1, BIT)) ? j - 1 : -1;
	return type_keyword(t[j].code) ? j : -1;
}

/* the length of the PARAM token at text + loc: "$" and its digits */
static int
param_len(const char *text, int loc)
{
	int			len = 1;

	while (text[loc + len] >= '0' && text[loc + len] <= '9')
		len++;
	return len;
}

/*
 * The text with every "type $n" as "$n::type" and every bare $n given a
 * type in "given" (given[n - 1], InvalidOid: none) cast to it.
 */
static char *
rewrite(const char *text, const Oid *given, int ngiven)
{
	int			n;
	Tok		   *t = tokens(text, &n);
	StringInfoData s;
	int			copied = 0;

	initStringInfo(&s);
	for (int i = 0; i < n; i++)
	{
		int			start;
		int			end;

		if (t[i].code != PARAM)
			continue;
		end = t[i].loc + param_len(text, t[i].loc);
		start = type_start(t, i - 1);
		if (is_code(t, i - 2, EXTRACT) && is_code(t, i - 1, '(') &&
			is_code(t, i + 1, FROM) && t[i - 2].loc >= copied)
		{
			/* "extract($1 from x)": the function it stands for */
			appendBinaryStringInfo(&s, text + copied, t[i - 2].loc - copied);
			appendStringInfoString(&s, "pg_catalog.extract(");
			appendBinaryStringInfo(&s, text + t[i].loc, end - t[i].loc);
			appendStringInfoString(&s, "::text,");
			copied = t[i + 1].loc + strlen("from");
		}
		else if (start >= 0 && t[start].loc >= copied)
		{
			int			tlen = t[i].loc - t[start].loc;

			while (tlen > 0 && scanner_isspace(text[t[start].loc + tlen - 1]))
				tlen--;
			appendBinaryStringInfo(&s, text + copied, t[start].loc - copied);
			appendBinaryStringInfo(&s, text + t[i].loc, end - t[i].loc);
			appendStringInfoString(&s, "::");
			appendBinaryStringInfo(&s, text + t[start].loc, tlen);
			copied = end;
		}
		else if (t[i].param >= 1 && t[i].param <= ngiven &&
				 OidIsValid(given[t[i].param - 1]) &&
				 !is_code(t, i + 1, TYPECAST))
		{
			appendBinaryStringInfo(&s, text + copied, end - copied);
			appendStringInfo(&s, "::%s", format_type_be(given[t[i].param - 1]));
			copied = end;
		}
	}
	appendStringInfoString(&s, text + copied);
	pfree(t);
	return s.data;
}

/* Is token i a $n without a type of its own, or with one we guessed? */
static bool
guessable(Tok *t, int i, const Oid *given, int ngiven)
{
	if (!is_code(t, i, PARAM) || t[i].param < 1 || t[i].param > ngiven)
		return false;
	return !is_code(t, i + 1, TYPECAST) || OidIsValid(given[t[i].param - 1]);
}

/* Does token i end an operand (a boolean connective, a separator)? */
static bool
ends_operand(Tok *t, int i)
{
	switch (t[i].code)
	{
		case 0:
		case ',':
		case ';':
		case AND:
		case OR:
		case THEN:
		case WHEN:
		case ELSE:
		case END_P:
		case WHERE:
		case FROM:
		case ORDER:
		case GROUP_P:
		case LIMIT:
			return true;
		default:
			return false;
	}
}

/*
 * The first guessable $n (bare, or cast to a type we guessed) of the
 * operand that starts after token k (step
 * 1) or ends before it (step -1), nested parentheses and brackets
 * included; 0 if none.
 */
static int
param_in_operand(Tok *t, int n, int k, int step, const Oid *given,
				 int ngiven)
{
	int			depth = 0;

	for (int i = k + step; i >= 0 && i < n && !ends_operand(t, i); i += step)
	{
		int			c = t[i].code;

		if (c == '(' || c == '[')
			depth += step;
		else if (c == ')' || c == ']')
			depth -= step;
		if (depth < 0)
			break;
		if (guessable(t, i, given, ngiven))
			return t[i].param;
	}
	return 0;
}

/*
 * The number of the $n that the error at character position cursorpos of
 * text is about: the nearest bare $n (or one cast to a type we guessed) in
 * the operand right of the operator or function named there
 * ("current_date + $2", "col = ANY(ARRAY[$1, $2])", "f($1)"), else in the
 * operand left of it; 0 if none.  The guess is only kept if the statement
 * then analyses.
 */
static int
param_at(const char *text, int cursorpos, const Oid *given, int ngiven)
{
	int			n;
	Tok		   *t = tokens(text, &n);
	int			at;
	int			k;
	int			found = 0;

	if (cursorpos <= 0)
		return 0;
	at = pg_mbcharcliplen(text, strlen(text), cursorpos - 1);
	for (k = 0; k < n && t[k].loc != at; k++)
		;
	if (k < n)
	{
		found = param_in_operand(t, n, k, 1, given, ngiven);
		if (found == 0)
			found = param_in_operand(t, n, k, -1, given, ngiven);
	}
	pfree(t);
	return found;
}

/* "$n" of a 42P18 message ("could not determine data type of parameter
 * $n", in any language: the $n is the format's own), 0 if none */
static int
param_in_message(const char *msg)
{
	const char *p = msg ? strrchr(msg, '$') : NULL;

	return p ? atoi(p + 1) : 0;
}

/* The highest $n of text, 0 if none. */
static int
max_param(const char *text)
{
	int			n;
	Tok		   *t = tokens(text, &n);
	int			max = 0;

	for (int i = 0; i < n; i++)
		max = Max(max, t[i].param);
	pfree(t);
	return Min(max, MAX_PARAMS);
}

/*
 * ia_prepare(text) in a subtransaction of its own; NULL and *err on error.
 * The callers' error context callbacks are set aside meanwhile: SPI's
 * (idx_advise_workload is PL/pgSQL) would move the error's position in
 * our text to an "internal" position in its own query.
 */
static IaPrepared *
try_prepare(const char *text, MemoryContext cxt, ErrorData **err)
{
	MemoryContext caller = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	ErrorContextCallback *callbacks = error_context_stack;
	IaPrepared *volatile p = NULL;

	ia_subxact_begin(caller);
	PG_TRY();
	{
		error_context_stack = NULL;
		p = ia_prepare(text, cxt);
		error_context_stack = callbacks;
		ia_subxact_end(caller, owner, true);
	}
	PG_CATCH();
	{
		error_context_stack = callbacks;
		*err = ia_subxact_caught(caller, owner, true);
		p = NULL;
	}
	PG_END_TRY();
	return p;
}

/*
 * The next type for $param after an error: a guess after the one it had
 * (text at once for 42P18); false when there is none left.
 */
static bool
next_guess(Oid *given, int param, bool undetermined)
{
	Oid			had = given[param - 1];
	int			i = 0;

	if (undetermined)
	{
		if (had == TEXTOID)
			return false;
		given[param - 1] = TEXTOID;
		return true;
	}
	if (OidIsValid(had))
	{
		while (i < (int) lengthof(guess_types) && guess_types[i] != had)
			i++;
		i++;
	}
	if (i >= (int) lengthof(guess_types))
		return false;
	given[param - 1] = guess_types[i];
	return true;
}

/*
 * ia_normalised_text -- text with every "type $n" as "$n::type" (see the
 * file header), palloc'd.
 */
char *
ia_normalised_text(const char *text)
{
	return rewrite(text, NULL, 0);
}

/*
 * ia_prepare_normalised -- ia_prepare() a statement text as
 * pg_stat_statements stores it (see the file header), as the current
 * user; *planned gets the text that was prepared (in cxt).  The error of
 * the first attempt when none succeeds.
 */
IaPrepared *
ia_prepare_normalised(const char *text, MemoryContext cxt, char **planned)
{
	int			ngiven = max_param(text);
	Oid		   *given = palloc0(sizeof(Oid) * (ngiven + 1));
	ErrorData  *first = NULL;
	char	   *attempt = rewrite(text, given, 0);

	for (int i = 0; i < MAX_ATTEMPTS; i++)
	{
		ErrorData  *err = NULL;
		IaPrepared *p;
		int			param = 0;
		bool		undetermined = false;

		CHECK_FOR_INTERRUPTS();
		p = try_prepare(attempt, cxt, &err);
		if (p)
		{
			*planned = MemoryContextStrdup(cxt, attempt);
			pfree(given);
			return p;
		}
		if (first == NULL)
			first = err;
		if (err->sqlerrcode == ERRCODE_AMBIGUOUS_FUNCTION ||
			err->sqlerrcode == ERRCODE_UNDEFINED_FUNCTION)
			param = param_at(attempt, err->cursorpos, given, ngiven);
		else if (err->sqlerrcode == ERRCODE_INDETERMINATE_DATATYPE)
		{
			param = param_in_message(err->message);
			undetermined = true;
		}
		if (param < 1 || param > ngiven ||
			!next_guess(given, param, undetermined))
			break;
		attempt = rewrite(text, given, ngiven);
	}
	ia_rethrow(first);
}

/*
 * ia_bind_sent_text -- text with $paramid replaced by the constant "value"
 * of "type" as a literal ('blocked'::text), palloc'd: the statement's text
 * as the application sent it, for its rows' "queries".
 */
char *
ia_bind_sent_text(const char *text, int paramid, Datum value, Oid type)
{
	int			n;
	Tok		   *t = tokens(text, &n);
	StringInfoData s;
	int			copied = 0;
	Oid			out;
	bool		varlena;

	getTypeOutputInfo(type, &out, &varlena);
	initStringInfo(&s);
	for (int i = 0; i < n; i++)
	{
		if (t[i].code != PARAM || t[i].param != paramid)
			continue;
		appendBinaryStringInfo(&s, text + copied, t[i].loc - copied);
		appendStringInfoString(&s, quote_literal_cstr(OidOutputFunctionCall(out, value)));
		/* "$1::int" becomes "'42'::int", as sent; a bare $1 gets its type */
		if (!is_code(t, i + 1, TYPECAST))
			appendStringInfo(&s, "::%s", format_type_be(type));
		copied = t[i].loc + param_len(text, t[i].loc);
	}
	appendStringInfoString(&s, text + copied);
	pfree(t);
	return s.data;
}

/* Param $paramid (PARAM_EXTERN) -> the Const in ctx, at every level. */
typedef struct BindCtx
{
	int			paramid;
	Const	   *value;
} BindCtx;

static Node *
bind_mutator(Node *node, BindCtx *ctx)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Query))
		return (Node *) query_tree_mutator((Query *) node, bind_mutator,
										   ctx, 0);
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN &&
		((Param *) node)->paramid == ctx->paramid &&
		((Param *) node)->paramtype == ctx->value->consttype)
	{
		Const	   *c = copyObject(ctx->value);

		c->constcollid = ((Param *) node)->paramcollid;
		c->location = ((Param *) node)->location;
		return (Node *) c;
	}
	return expression_tree_mutator(node, bind_mutator, ctx);
}

/*
 * ia_bind_sent_value -- the rewritten Query list "queries" with $paramid
 * (of type "type") replaced by the constant "value", as the application
 * sent it (see the file header); a new list.
 */
List *
ia_bind_sent_value(List *queries, int paramid, Datum value, Oid type)
{
	BindCtx		ctx;
	int16		typlen;
	bool		typbyval;
	List	   *out = NIL;
	ListCell   *lc;

	get_typlenbyval(type, &typlen, &typbyval);
	ctx.paramid = paramid;
	ctx.value = makeConst(type, -1, InvalidOid, typlen, value, false,
						  typbyval);
	foreach(lc, queries)
		out = lappend(out, bind_mutator(lfirst(lc), &ctx));
	return out;
}

/*
 * ia_attach_sent_values -- the constants the application sent (idx_advise_workload: pg_qualstats)
 * to their statements: element k says that statement stmts[k] (1-based)
 * compared column atts[k] of rels[k] by operator ops[k] with values[k].  values.c decides
 * whether one may be used.
 */
void
ia_attach_sent_values(List *qs, ArrayType *stmts, ArrayType *rels,
					  ArrayType *atts, ArrayType *ops, ArrayType *values)
{
	Datum	   *sd,
			   *rd,
			   *ad,
			   *od,
			   *vd;
	bool	   *sn,
			   *rn,
			   *an,
			   *on,
			   *vn;
	int			n,
				nr,
				na,
				no,
				nv;

	deconstruct_array(stmts, INT4OID, 4, true, TYPALIGN_INT, &sd, &sn, &n);
	deconstruct_array(rels, OIDOID, sizeof(Oid), true, TYPALIGN_INT, &rd, &rn, &nr);
	deconstruct_array(atts, INT2OID, 2, true, TYPALIGN_SHORT, &ad, &an, &na);
	deconstruct_array(ops, OIDOID, sizeof(Oid), true, TYPALIGN_INT, &od, &on, &no);
	deconstruct_array(values, TEXTOID, -1, false, TYPALIGN_INT, &vd, &vn, &nv);
	if (nr != n || na != n || no != n || nv != n)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("qual_stmts, qual_rels, qual_atts, qual_ops and qual_values must have the same length")));
	for (int k = 0; k < n; k++)
	{
		ListCell   *lc;

		if (sn[k] || rn[k] || an[k] || on[k] || vn[k])
			continue;
		foreach(lc, qs)
		{
			AdvQuery   *q = lfirst(lc);
			IaSentValue *sv;

			if (q->qno != DatumGetInt32(sd[k]) - 1)
				continue;
			sv = palloc(sizeof(IaSentValue));
			sv->relid = DatumGetObjectId(rd[k]);
			sv->attnum = DatumGetInt16(ad[k]);
			sv->opno = DatumGetObjectId(od[k]);
			sv->text = TextDatumGetCString(vd[k]);
			q->sent = lappend(q->sent, sv);
		}
	}
}
