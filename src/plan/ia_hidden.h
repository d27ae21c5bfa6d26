/*-------------------------------------------------------------------------
 *
 * ia_hidden.h
 *		Hidden ("invisible") indexes: what src/plan/hidden.c (the planner
 *		filter and its cache) and src/plan/hide.c (idx_hide, idx_unhide and
 *		the rollback of a hide) offer the rest of index_advisor.
 *
 * A hidden index is listed in the extension's table idx_hidden_indexes
 * (src/update/0.1--0.2/84_hidden.sql).  Every backend that has the library
 * loaded removes the listed indexes from every planning (get_relation_info
 * hook), at every nesting level, unless the session set
 * index_advisor.use_hidden_indexes.  doc/hidden.md is the user's reference.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_HIDDEN_H
#define IA_HIDDEN_H

#include "postgres.h"

/* hidden.c: by _PG_init, after ia_verify_init() (the hooks chain) */
extern void ia_hidden_init(void);

/* hidden.c: ERROR 55000 unless every session of the server has the hook */
extern void ia_hidden_require_preload(void);

/* hidden.c: whether an index is hidden now */
extern bool ia_hidden_listed(Oid indexoid);

/*
 * hidden.c: let this backend's planner see "indexoid" even if hidden, until
 * the end of the transaction (idx_explain and idx_report plan "with" the
 * index they check).
 */
extern void ia_hidden_exempt(Oid indexoid);

/*
 * hidden.c: the index an idx_hidden_indexes row names in this cluster, or
 * InvalidOid (the rule once, for the cache and for SQL).
 */
extern Oid	ia_hidden_resolve(Oid index_oid, Oid table_oid, Oid index_table_oid,
							  const char *schema_name, const char *index_name);

/* hide.c: idx_apply(..., visible => false) queued create row "id" */
extern void ia_hidden_pending(int64 id);

/* hide.c: idx_rollback of hide row "id" (of table "tableoid"): unhide */
extern int64 ia_hidden_rollback(int64 id, Oid tableoid);

#endif							/* IA_HIDDEN_H */
