/*-------------------------------------------------------------------------
 *
 * ia_definition.h
 *		CREATE INDEX statements (src/definition/): parse, validate, resolve
 *		(resolve.c, columns.c), name (naming.c), find duplicates
 *		(duplicates.c), limit the stored queries (queries.c); and the parse
 *		trees the worker runs (statements.c).
 *
 * This folder asks queue.c about pending rows (names reserved, duplicates
 * queued); queue.c never calls it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_DEFINITION_H
#define IA_DEFINITION_H

#include "postgres.h"

#include "nodes/parsenodes.h"
#include "utils/array.h"
#include "utils/rel.h"

#include "ia_queue.h"

/*
 * IaDefinition is a CREATE INDEX statement resolved at call time, as the
 * calling role with its search_path: the table's schema and name, the index
 * name (chosen like PostgreSQL does when absent).
 */
typedef struct IaDefinition
{
	IndexStmt  *stmt;			/* raw parse tree as given (not transformed) */
	Oid			relid;
	Oid			nspid;
	char	   *schema_name;
	char	   *table_name;
	char	   *index_name;
	bool		skip;			/* IF NOT EXISTS and a valid index of that
								 * name exists: nothing to do */
} IaDefinition;

/* The resolved form of one index: what pg_index would hold. */
typedef struct IaResolvedIndex
{
	Oid			amid;
	bool		unique;
	bool		nulls_not_distinct;
	int			nkeys;
	int			natts;
	AttrNumber	attnums[INDEX_MAX_KEYS];
	Oid			opclasses[INDEX_MAX_KEYS];
	Oid			collations[INDEX_MAX_KEYS];
	int16		options[INDEX_MAX_KEYS];
	List	   *exprs;			/* as RelationGetIndexExpressions() (folded),
								 * or as written for an advisor's candidate
								 * (folded where it was drawn from) */
	List	   *pred;			/* the same, as RelationGetIndexPredicate() */
} IaResolvedIndex;

extern IndexStmt *ia_parse_index_stmt(const char *definition);
extern IaDefinition *ia_resolve_definition(const char *definition);
extern IaDefinition *ia_resolve_index(const char *definition,
									  IaResolvedIndex *out);
extern IaDefinition *ia_resolve_hypothetical(const char *definition,
											 IaResolvedIndex *out);
extern IaDefinition *ia_resolve_hypothetical_unowned(const char *definition,
													 IaResolvedIndex *out);
extern IaDefinition *ia_resolve_candidate(const char *definition);
extern void ia_index_folded_form(Relation irel, List **exprs, List **pred);

/* the duplicate rule, written once (duplicates.c) */
#define IA_COVERS_PREFIX	0x01	/* want's keys a prefix of have's */
extern bool ia_resolved_covers(const IaResolvedIndex *have,
							   const IaResolvedIndex *want, int flags);
extern void ia_index_resolved_form(Relation irel, IaResolvedIndex *out);
extern void ia_check_queries(ArrayType *queries);
extern void ia_check_query_count(int n, bool statements);
extern bool ia_query_too_long(Datum query);
extern char **ia_query_texts(ArrayType *queries, int *nqueries);
extern char *ia_choose_index_name(Oid relid, IndexStmt *stmt);

/* parse trees of a job's statements, rebuilt from its row */
extern Node *ia_build_create(IaJob *job, bool concurrent, bool only);
extern Node *ia_build_drop(IaJob *job, bool concurrent);

#endif							/* IA_DEFINITION_H */
