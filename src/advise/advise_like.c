/*-------------------------------------------------------------------------
 *
 * advise_like.c
 *		LIKE and ILIKE for idx_advise: which index serves a pattern, and
 *		what the advisor says when it cannot propose one.
 *
 * Design.  A pattern is read from the query as written, never folded:
 * a constant ('abc%'), a parameter's prefix ($1 || '%'), either inside
 * lower() or upper() (Django's istartswith writes
 * upper(col) LIKE upper('abc%'); values.c's ia_strip_case), or something
 * else (unknown).
 *
 *	- LIKE with a prefix is a btree range: text_pattern_ops
 *	  (varchar_pattern_ops, bpchar_pattern_ops) under a collation other
 *	  than C, the default operator class under C.
 *	- ILIKE with a prefix is a range only up to its first letter: ILIKE
 *	  '12%' is served like LIKE '12%', ILIKE 'ab%' by no btree.  An expert
 *	  writes lower(col) LIKE 'ab%' and indexes (lower(col)
 *	  text_pattern_ops); the advisor proposes that index for a query that
 *	  says so, and says so in the note of one that does not (the index
 *	  would not serve the query as written).
 *	- A leading wildcard, a case-insensitive prefix or a pattern the
 *	  query does not show is served by a gin index with gin_trgm_ops,
 *	  proposed (schema-qualified) only when pg_trgm is installed in a
 *	  schema on search_path; otherwise the note says what is missing.
 *
 * Rules: call inside a transaction; nothing here plans or executes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "commands/extension.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/lsyscache.h"
#include "utils/pg_locale.h"
#include "utils/syscache.h"

#include "ia_advise.h"
#include "ia_plan.h"
#include "advise_internal.h"

typedef enum LikeKind
{
	LIKE_UNKNOWN,				/* $1, a column, anything not shown */
	LIKE_PREFIX,				/* 'abc%', $1 || '%' */
	LIKE_WILDCARD				/* '%abc', '_bc%' */
} LikeKind;

/* the column under lower(col) or upper(col), or NULL */
Var *
ia_advise_like_column(Node *operand)
{
	Node	   *e = ia_strip_case(operand);

	while (IsA(e, RelabelType))
		e = (Node *) ((RelabelType *) e)->arg;
	return IsA(e, Var) && ((Var *) e)->varattno > 0 && e != operand ?
		(Var *) e : NULL;
}

/*
 * What kind of pattern value is; *literal gets a constant's text (NULL
 * otherwise) and *param the $n of "$n || '%'" or "lower($n) || '%'"
 * (NULL otherwise).
 */
static LikeKind
like_kind(Node *value, char **literal, Node **param)
{
	Node	   *v = ia_strip_case(value);

	*literal = NULL;
	*param = NULL;
	if (IsA(v, Const))
	{
		if (((Const *) v)->constisnull || exprType(v) != TEXTOID)
			return LIKE_UNKNOWN;
		*literal = TextDatumGetCString(((Const *) v)->constvalue);
		if ((*literal)[0] == '%' || (*literal)[0] == '_')
			return LIKE_WILDCARD;
		return (*literal)[0] == '\\' || (*literal)[0] == '\0' ?
			LIKE_UNKNOWN : LIKE_PREFIX;
	}
	if (IsA(v, OpExpr) && list_length(((OpExpr *) v)->args) == 2 &&
		((OpExpr *) v)->opfuncid == F_TEXTCAT &&
		IsA(ia_strip_case(linitial(((OpExpr *) v)->args)), Param))
	{
		/* $1 (or lower($1)): representative values */
		*param = ia_strip_case(linitial(((OpExpr *) v)->args));
		return LIKE_PREFIX;
	}
	return LIKE_UNKNOWN;
}

/* the operator's name when it is LIKE (~~) or ILIKE (~~*) on a string
 * type, NULL otherwise */
static const char *
like_operator(Oid opno, Oid type)
{
	char	   *name = get_opname(opno);

	if (name == NULL ||
		(type != TEXTOID && type != VARCHAROID && type != BPCHAROID))
		return NULL;
	if (strcmp(name, "~~") == 0)
		return "LIKE";
	if (strcmp(name, "~~*") == 0)
		return "ILIKE";
	return NULL;
}

/* the btree operator class that serves a prefix of type under collation:
 * a pattern_ops one, or NULL (the default) under C */
static char *
pattern_opclass(Oid type, Oid collation)
{
	if (lc_collate_is_c(collation))
		return NULL;
	return type == VARCHAROID ? "varchar_pattern_ops" :
		type == BPCHAROID ? "bpchar_pattern_ops" : "text_pattern_ops";
}

/*
 * "operand LIKE value" (or ILIKE) with a prefix a btree serves: sets
 * k->opclass and *param (the $n of "$n || '%'", for representative
 * values) and returns true; false for anything a btree cannot serve.
 * type is the key's type (the column's, or the expression's).
 */
bool
ia_advise_like_prefix(Oid opno, Node *operand, Node *value, Oid type,
					  IaCandKey *k, Node **param)
{
	const char *op = like_operator(opno, type);
	char	   *literal;

	if (op == NULL || like_kind(value, &literal, param) != LIKE_PREFIX)
		return false;
	/* ILIKE: a range up to the first letter, so only a constant that
	 * starts with something else ('12%') */
	if (strcmp(op, "ILIKE") == 0 &&
		(literal == NULL || IS_HIGHBIT_SET(literal[0]) ||
		 isalpha((unsigned char) literal[0])))
		return false;
	k->opclass = pattern_opclass(type, exprCollation(operand));
	return true;
}

/* the schema-qualified gin_trgm_ops when it is on search_path, else NULL */
static char *
trgm_opclass(void)
{
	Oid			opclass = get_opclass_oid(GIN_AM_OID,
										  list_make1(makeString("gin_trgm_ops")),
										  true);
	HeapTuple	tup;
	Oid			nsp;

	if (!OidIsValid(opclass))
		return NULL;
	tup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass));
	if (!HeapTupleIsValid(tup))
		return NULL;
	nsp = ((Form_pg_opclass) GETSTRUCT(tup))->opcnamespace;
	ReleaseSysCache(tup);
	/* qualified: the worker that builds it has its own search_path */
	return quote_qualified_identifier(get_namespace_name(nsp), "gin_trgm_ops");
}

/* what a query written with lower() would get, for the note of an ILIKE
 * prefix: "lower(code) LIKE 'ab%' ... (lower(code) text_pattern_ops)" */
static void
lower_advice(StringInfo s, Oid relid, Node *operand, char *literal)
{
	Node	   *e = strip_implicit_coercions(operand);
	const char *col = "col";
	char	   *opclass = pattern_opclass(TEXTOID, exprCollation(operand));

	while (IsA(e, RelabelType))
		e = (Node *) ((RelabelType *) e)->arg;
	if (IsA(e, Var) && ((Var *) e)->varattno > 0)
		col = quote_identifier(get_attname(relid, ((Var *) e)->varattno, false));
	appendStringInfo(s, "written lower(%s) LIKE ", col);
	if (literal)
	{
		char	   *low = str_tolower(literal, strlen(literal),
									  exprCollation(operand));

		appendStringInfoString(s, quote_literal_cstr(low));
	}
	else
		appendStringInfoString(s, "lower($n) || '%'");
	appendStringInfo(s, ", it is served by a btree on (lower(%s)%s%s)",
					 col, opclass ? " " : "", opclass ? opclass : "");
}

/*
 * "operand LIKE value" (or ILIKE) that no btree serves: the gin operator
 * class that does (gin_trgm_ops, schema-qualified), or NULL with a note
 * in u->notes saying what would serve it.  NULL without a note when
 * opno is neither LIKE nor ILIKE.
 */
char *
ia_advise_like_gin(IaRelUse *u, Oid opno, Node *operand, Node *value)
{
	const char *op = like_operator(opno, exprType(operand));
	char	   *trgm;
	char	   *literal;
	Node	   *param;
	LikeKind	kind;
	StringInfoData s;

	if (op == NULL)
		return NULL;
	if ((trgm = trgm_opclass()) != NULL)
		return trgm;
	kind = like_kind(value, &literal, &param);
	initStringInfo(&s);
	if (kind == LIKE_WILDCARD)
		appendStringInfo(&s, "%s with a leading wildcard needs a gin index with gin_trgm_ops", op);
	else if (kind == LIKE_PREFIX)
	{
		/* ILIKE 'ab%' (LIKE's prefixes are btree ranges) */
		appendStringInfo(&s, "%s %s is a case-insensitive prefix, which no btree serves: ",
						 op, literal ? quote_literal_cstr(literal) : "$n || '%'");
		lower_advice(&s, u->relid, operand, literal);
		appendStringInfoString(&s, "; as written it needs a gin index with gin_trgm_ops");
	}
	else
		appendStringInfo(&s, "%s with a pattern the query does not show needs a gin index with gin_trgm_ops (a btree serves a prefix: %s)",
						 op, strcmp(op, "LIKE") == 0 ? "LIKE $n || '%'" :
						 "lower(col) LIKE lower($n) || '%'");
	appendStringInfoString(&s, OidIsValid(get_extension_oid("pg_trgm", true)) ?
						   ": pg_trgm is installed, but not in a schema on search_path" :
						   ": pg_trgm is not installed");
	u->notes = lappend(u->notes, s.data);
	return NULL;
}
