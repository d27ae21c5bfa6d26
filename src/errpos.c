/*-------------------------------------------------------------------------
 *
 * errpos.c
 *		The one rule for error positions in text that is not the client's
 *		statement (an index definition, a stored query, a statement of a
 *		migration script): report them as an internal query, as PostgreSQL's
 *		SQL functions do (sql_compile_error_callback).
 *
 * Design.  The parser and parse analysis set errposition() relative to the
 * text they were given; shown as is, the position would point into the
 * statement the client sent (SELECT idx_apply('...')).  An error context
 * callback moves it: errposition(0), internalerrposition(pos),
 * internalerrquery(text).  Callers that add their own errcontext line call
 * ia_internal_errposition() from their callback first.
 *
 * Caller's rules: call only from an error context callback (the error
 * being built is the one changed); text must outlive the callback's push.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "index_advisor.h"

/*
 * ia_internal_errposition -- in an error context callback: when the error
 * has a position and text is not NULL, show it as a position in text (an
 * internal query).  True when it did.
 */
bool
ia_internal_errposition(const char *text)
{
	int			pos = geterrposition();

	if (pos <= 0 || text == NULL)
		return false;
	errposition(0);
	internalerrposition(pos);
	internalerrquery(text);
	return true;
}
