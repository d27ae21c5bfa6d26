/*-------------------------------------------------------------------------
 *
 * definition_internal.h
 *		What the files of src/definition/ share with each other (the
 *		folder's face is ia_definition.h).
 *
 * resolve.c drives the resolution of a definition: columns.c resolves its
 * columns, naming.c its name, duplicates.c refuses a duplicate; queries.c
 * and resolve.c report parse errors as an internal query.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_DEFINITION_INTERNAL_H
#define IA_DEFINITION_INTERNAL_H

#include "postgres.h"

#include "access/amapi.h"
#include "utils/rel.h"

#include "ia_definition.h"

/* The resolved form of one index: what pg_index would hold (ia_definition.h). */
typedef IaResolvedIndex ResolvedIndex;

/*
 * Error positions of the parser and of parse analysis point into the
 * definition or query text, not into the statement the client sent: report
 * them as an internal query, as SQL functions do (resolve.c).
 */
extern void ia_text_errposition_callback(void *arg);

#define IA_ERRCONTEXT_PUSH(cb, text) \
	do { \
		(cb).callback = ia_text_errposition_callback; \
		(cb).arg = (void *) (text); \
		(cb).previous = error_context_stack; \
		error_context_stack = &(cb); \
	} while (0)
#define IA_ERRCONTEXT_POP(cb)	(error_context_stack = (cb).previous)

/* resolve.c: the resolved form of a raw statement on rel */
extern IndexStmt *ia_resolve_form(Relation rel, IndexStmt *stmt,
								  const char *text, bool fold,
								  ResolvedIndex *ri, IndexAmRoutine **amroutine);

/* columns.c: every key and INCLUDE column into ri, as ComputeIndexAttrs() */
extern void ia_resolve_columns(Relation rel, IndexStmt *stmt, Oid amid,
							   IndexAmRoutine *amroutine, ResolvedIndex *ri,
							   bool fold);

/* naming.c */
extern bool ia_check_name(IaDefinition *def, ResolvedIndex *ri, bool ask_queue);
extern char *ia_choose_name(Relation rel, IndexStmt *stmt, Oid nspid,
							bool ask_queue);

/* duplicates.c: the duplicate rule */
extern bool ia_index_covers(Relation irel, ResolvedIndex *ri);
extern void ia_check_duplicate(Relation rel, ResolvedIndex *ri);
extern void ia_check_pending_duplicate(Relation rel, IaDefinition *def,
									   ResolvedIndex *ri);

#endif							/* IA_DEFINITION_INTERNAL_H */
