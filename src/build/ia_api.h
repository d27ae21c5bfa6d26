/*-------------------------------------------------------------------------
 *
 * ia_api.h
 *		What api.c (idx_apply, idx_rollback) offers script.c
 *		(idx_apply_script): one validation and queue path for both.
 *
 * Call inside the caller's transaction, as the caller, after the
 * extension's schema is set (ia_queue_set_schema).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_API_H
#define IA_API_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/array.h"

/* idx_apply: the history id, or 0 for IF NOT EXISTS and the same index */
extern int64 ia_apply(const char *definition, ArrayType *queries,
					  const char *migration, int priority,
					  TimestampTz not_before);

/* DROP INDEX CONCURRENTLY of an index the caller's role owns */
extern int64 ia_drop_index(Oid indexoid, const char *migration);

#endif							/* IA_API_H */
