/*-------------------------------------------------------------------------
 *
 * ia_launcher.h
 *		Registering workers (launcher.c): from SQL calls (api.c) and the
 *		start-up launcher (_PG_init, index_advisor.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_LAUNCHER_H
#define IA_LAUNCHER_H

#include "postgres.h"

extern int	ia_launch_workers(int wanted);
extern void ia_register_launcher(void);
extern bool ia_signal_cancel(int pid);
extern void ia_wake_workers(void);

#endif							/* IA_LAUNCHER_H */
