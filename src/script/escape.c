/*-------------------------------------------------------------------------
 *
 * escape.c
 *		Text written for another language: the migration label's check, and
 *		the escaping of any text idx_export writes into SQL or Python.
 *
 * Design: one predicate, unsafe_char(), names the characters that can end
 * a line or change how the text around them reads: every control
 * character (C0, DEL, C1: newline, carriage return, tab, form feed, NEL,
 * ...), the Unicode line and paragraph separators, and the invisible
 * characters that reorder or hide text (bidirectional controls, zero-width
 * characters, the byte-order mark).  It is used twice:
 *
 *	- a migration label containing one is refused where a label enters
 *	  (ia_check_label: idx_apply, idx_apply_script and the drops they
 *	  queue), with SQLSTATE 22023;
 *	- labels already stored (a 0.1 install, a restored dump, a row written
 *	  by hand) and queries are still exported safely: the escapers below
 *	  never write such a character as it is.
 *
 * The escapers, both SQL-callable for idx_export (and for anything else
 * that writes history text into a file):
 *
 *	idx_export_sqlstr(s)	an SQL string constant of s, 's' or E'...',
 *							that is one line and holds neither slash-star
 *							nor star-slash, so it is inert inside a line
 *							comment and inside a block comment alike;
 *	idx_export_pystr(s)		a Python string literal of s, '...', one line,
 *							every unsafe character as \xHH, \uHHHH or
 *							\UHHHHHHHH.
 *
 * With a database encoding other than UTF8 only ASCII control characters
 * are known to be unsafe (the code points of the other bytes are not
 * Unicode's); the rest is copied as it is.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

#include "ia_script.h"

PG_FUNCTION_INFO_V1(idx_export_sqlstr);
PG_FUNCTION_INFO_V1(idx_export_pystr);

/*
 * Does code point c end a line or change how the text around it reads?
 * (Unicode general category Cc, the separators U+2028 and U+2029, and the
 * format characters that reorder or hide text.)
 */
static bool
unsafe_char(pg_wchar c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
		c == 0x061c ||				/* arabic letter mark */
		(c >= 0x200b && c <= 0x200f) || /* zero-width, LRM, RLM */
		(c >= 0x2028 && c <= 0x202e) || /* separators, embeddings */
		(c >= 0x2060 && c <= 0x2069) || /* word joiner, isolates */
		c == 0xfeff ||				/* byte-order mark */
		(c >= 0xfff9 && c <= 0xfffb);	/* interlinear annotation */
}

/*
 * The character at s: its code point in *c when the database encoding is
 * UTF8, else the byte for an ASCII byte and 0x20 (a harmless stand-in) for
 * the others.  Returns its length in bytes.
 */
static int
char_at(const char *s, pg_wchar *c)
{
	int			len = pg_mblen(s);

	if (GetDatabaseEncoding() == PG_UTF8)
		*c = utf8_to_unicode((const unsigned char *) s);
	else
		*c = IS_HIGHBIT_SET(*s) ? 0x20 : (unsigned char) *s;
	return len;
}

/*
 * ia_check_label -- refuse a migration label that is too long or holds an
 * unsafe character.  NULL (no label) passes.  Every place a label enters
 * the history calls it.
 */
void
ia_check_label(const char *label)
{
	size_t		n;

	if (label == NULL)
		return;
	n = strlen(label);
	if (n > IA_MAX_LABEL_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("migration label is too long"),
				 errdetail("It is %zu bytes long; the limit is %d bytes.",
						   n, IA_MAX_LABEL_LEN)));
	for (const char *p = label; *p != '\0';)
	{
		pg_wchar	c;
		int			len = char_at(p, &c);

		if (unsafe_char(c))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("migration label must not contain control characters"),
					 errdetail("Character U+%04X at byte %d is a line break, a control character or an invisible formatting character.",
							   (unsigned int) c, (int) (p - label) + 1),
					 errhint("Use a label of printable characters, such as \"app.0002_indexes\".")));
		p += len;
	}
}

/*
 * Append code point c as a backslash escape: \xHH, \uHHHH or \UHHHHHHHH.
 * In Python \xHH is the code point; in SQL it is a byte, so "bytes_x" (SQL)
 * keeps \xHH for ASCII only.
 */
static void
append_escape(StringInfo buf, pg_wchar c, bool bytes_x)
{
	if (c <= (bytes_x ? 0x7f : 0xff))
		appendStringInfo(buf, "\\x%02x", (unsigned int) c);
	else if (c <= 0xffff)
		appendStringInfo(buf, "\\u%04x", (unsigned int) c);
	else
		appendStringInfo(buf, "\\U%08x", (unsigned int) c);
}

/*
 * ia_sql_string -- s as an SQL string constant that is inert in a
 * comment: 's' when nothing needs a backslash, else E'...' with
 * backslashes, quotes, unsafe characters and a star next to a slash
 * escaped (both forms read back as s).
 */
char *
ia_sql_string(const char *s)
{
	StringInfoData buf;
	bool		plain = true;

	for (const char *p = s; *p != '\0';)
	{
		pg_wchar	c;

		p += char_at(p, &c);
		if (unsafe_char(c) || c == '\\' ||
			(c == '*' && (p[0] == '/' || (p - 2 >= s && p[-2] == '/'))))
			plain = false;
	}
	initStringInfo(&buf);
	appendStringInfoString(&buf, plain ? "'" : "E'");
	for (const char *p = s; *p != '\0';)
	{
		pg_wchar	c;
		int			len = char_at(p, &c);

		if (c == '\'')
			appendStringInfoString(&buf, "''");
		else if (plain)
			appendBinaryStringInfo(&buf, p, len);
		else if (c == '\\')
			appendStringInfoString(&buf, "\\\\");
		else if (unsafe_char(c) ||
				 (c == '*' && (p[1] == '/' || (p > s && p[-1] == '/'))))
			append_escape(&buf, c, true);
		else
			appendBinaryStringInfo(&buf, p, len);
		p += len;
	}
	appendStringInfoChar(&buf, '\'');
	return buf.data;
}

/*
 * ia_python_string -- s as a Python string literal: '...' on one line,
 * backslashes, quotes and unsafe characters escaped.
 */
char *
ia_python_string(const char *s)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '\'');
	for (const char *p = s; *p != '\0';)
	{
		pg_wchar	c;
		int			len = char_at(p, &c);

		if (c == '\\' || c == '\'')
		{
			appendStringInfoChar(&buf, '\\');
			appendStringInfoChar(&buf, (char) c);
		}
		else if (unsafe_char(c))
			append_escape(&buf, c, false);
		else
			appendBinaryStringInfo(&buf, p, len);
		p += len;
	}
	appendStringInfoChar(&buf, '\'');
	return buf.data;
}

/*
 * idx_export_sqlstr(s text) RETURNS text
 *
 * An SQL string constant of s that is inert in any SQL comment.
 */
Datum
idx_export_sqlstr(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(ia_sql_string(text_to_cstring(PG_GETARG_TEXT_PP(0)))));
}

/*
 * idx_export_pystr(s text) RETURNS text
 *
 * A Python string literal of s.
 */
Datum
idx_export_pystr(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(ia_python_string(text_to_cstring(PG_GETARG_TEXT_PP(0)))));
}
