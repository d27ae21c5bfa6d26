/*-------------------------------------------------------------------------
 *
 * normalised.h
 *		Prepare a statement as pg_stat_statements stores it (normalised.c):
 *		"interval $3" as "$3::interval", an ambiguous unknown $n given a
 *		type; for idx_advise_workload (advise_plan.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_NORMALISED_H
#define IA_NORMALISED_H

#include "ia_hypo.h"
#include "utils/array.h"

extern char *ia_normalised_text(const char *text);
extern IaPrepared *ia_prepare_normalised(const char *text, MemoryContext cxt,
										 char **planned);

extern char *ia_bind_sent_text(const char *text, int paramid, Datum value,
							   Oid type);
extern List *ia_bind_sent_value(List *queries, int paramid, Datum value,
							   Oid type);

extern void ia_attach_sent_values(List *qs, ArrayType *stmts,
								  ArrayType *rels, ArrayType *atts,
								  ArrayType *ops, ArrayType *values);

#endif							/* IA_NORMALISED_H */
