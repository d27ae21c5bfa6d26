/*-------------------------------------------------------------------------
 *
 * ia_script.h
 *		What src/script/ offers the other folders: the folder's one public
 *		header.  A file outside src/script/ includes this header and none
 *		of the folder's others (scripts/house.sh checks it).
 *
 * Its sections, each with its own comment: escape.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_SCRIPT_H
#define IA_SCRIPT_H

/*-------------------------------------------------------------------------
 *
 * escape (a section of ia_script.h)
 *		Text written for another language (escape.c): the migration
 *		label's check, SQL and Python string literals of any text.
 *
 * A leaf: it calls no other file of index_advisor, so any file may call it
 * (api.c checks labels with it; idx_export writes with its SQL functions).
 *
 *-------------------------------------------------------------------------
 */

/* longest migration label (it is indexed in idx_history) */
#define IA_MAX_LABEL_LEN	1024

/* refuse (22023, 54000) a label with an unsafe character, or too long */
extern void ia_check_label(const char *label);

/* an SQL string constant inert in any comment; a Python string literal */
extern char *ia_sql_string(const char *s);
extern char *ia_python_string(const char *s);

#endif							/* IA_SCRIPT_H */
