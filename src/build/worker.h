/*-------------------------------------------------------------------------
 *
 * worker.h
 *		What the worker (worker.c) is told by the code that starts it
 *		(launcher.c).  Its entry point, ia_worker_main, is found by name.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_WORKER_H
#define IA_WORKER_H

#include "postgres.h"

/* What a worker is told when it is registered (bgw_extra). */
typedef struct IaWorkerArgs
{
	Oid			dboid;
	Oid			nspid;			/* InvalidOid: look the extension up */
} IaWorkerArgs;

#endif							/* IA_WORKER_H */
