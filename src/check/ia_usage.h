/*-------------------------------------------------------------------------
 *
 * ia_usage.h
 *		idx_check / idx_report (usage.c): their settings, set up by _PG_init.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_USAGE_H
#define IA_USAGE_H

#include "postgres.h"

extern void ia_usage_init(void);

#endif							/* IA_USAGE_H */
