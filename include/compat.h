/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every PostgreSQL version difference index_advisor depends on.
 *
 * Which versions build: PostgreSQL 15 only.  Built and tested against
 * Debian 12's 15.20 (15.20-0+deb12u1), the only PostgreSQL installable on
 * the machines the tests run on; no other major or minor was built.  Code
 * elsewhere calls the names below and never tests PG_VERSION_NUM itself,
 * so that another major is one file's work; but the shims below are not
 * complete for any other major.  Known to be missing:
 * pg_analyze_and_rewrite_varparams/_withcb (new names in 15),
 * InitMaterializedSRF and list_copy_head (new in 15), so 13 and 14 lack
 * them; libpq/libpq-be-fe-helpers.h (needed by nodes/node_conn.c, which
 * uses only libpqsrv_disconnect: in 16 and later,
 * and in the later 15.x minors that back-patched it: 15.20 has it, an
 * early 15.x may not); and ExplainOnePlan's 8 arguments (15 and 16: 17
 * added the memory counters, 18 the cached plan).  Rather than fail on one
 * of those with an obscure message, the build stops here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef INDEX_ADVISOR_COMPAT_H
#define INDEX_ADVISOR_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 160000
#error "index_advisor builds against PostgreSQL 15 only (see include/compat.h)"
#endif

/*
 * What follows for 16 and later is right as far as it goes: a start for a
 * port, not a port.
 */
#if PG_VERSION_NUM >= 160000
#define ia_table_ownercheck(relid, roleid) \
	object_ownercheck(RelationRelationId, (relid), (roleid))
#define ia_namespace_aclcheck(nspid, roleid, mode) \
	object_aclcheck(NamespaceRelationId, (nspid), (roleid), (mode))
#define ia_tablespace_aclcheck(spcid, roleid, mode) \
	object_aclcheck(TableSpaceRelationId, (spcid), (roleid), (mode))
#else
#define ia_table_ownercheck(relid, roleid) \
	pg_class_ownercheck((relid), (roleid))
#define ia_namespace_aclcheck(nspid, roleid, mode) \
	pg_namespace_aclcheck((nspid), (roleid), (mode))
#define ia_tablespace_aclcheck(spcid, roleid, mode) \
	pg_tablespace_aclcheck((spcid), (roleid), (mode))
#endif

/* the table privileges the executor would check for a PlannedStmt */
#if PG_VERSION_NUM >= 160000
#define ia_check_plan_permissions(stmt) \
	((void) ExecCheckPermissions((stmt)->rtable, (stmt)->permInfos, true))
#else
#define ia_check_plan_permissions(stmt) \
	((void) ExecCheckRTPerms((stmt)->rtable, true))
#endif

/*
 * A wait set for one wait over many sockets (nodes/node_conn.c), freed by
 * its caller: 17 takes a resource owner where 15 and 16 take a memory
 * context.
 */
#if PG_VERSION_NUM >= 170000
#define ia_create_wait_event_set(nevents) \
	CreateWaitEventSet(NULL, (nevents))
#else
#define ia_create_wait_event_set(nevents) \
	CreateWaitEventSet(CurrentMemoryContext, (nevents))
#endif


/*
 * Process priority of a build (gentle.c).  Linux has setpriority(), the
 * SCHED_IDLE scheduling policy and the ioprio_set system call; elsewhere
 * what is missing is not lowered, and the setting says so
 * (IA_HAVE_NICE / IA_HAVE_SCHED_IDLE / IA_HAVE_IOPRIO false).
 */
#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sched.h>
#define IA_HAVE_NICE	1
#define IA_HAVE_IOPRIO	1
#ifdef SCHED_IDLE
#define IA_HAVE_SCHED_IDLE	1
#else
#define IA_HAVE_SCHED_IDLE	0
#endif
#define IA_IOPRIO_CLASS_SHIFT	13
#define IA_IOPRIO_CLASS_NONE	0
#define IA_IOPRIO_CLASS_BE		2
#define IA_IOPRIO_CLASS_IDLE	3
#define IA_IOPRIO_WHO_PROCESS	1
#define ia_ioprio_get()		((int) syscall(SYS_ioprio_get, IA_IOPRIO_WHO_PROCESS, 0))
#define ia_ioprio_set(v)	((int) syscall(SYS_ioprio_set, IA_IOPRIO_WHO_PROCESS, 0, (v)))
#elif !defined(WIN32)
#include <sys/resource.h>
#define IA_HAVE_SCHED_IDLE	0
#define IA_HAVE_NICE	1
#define IA_HAVE_IOPRIO	0
#define ia_ioprio_get()		(0)
#define ia_ioprio_set(v)	(0)
#else
#define IA_HAVE_SCHED_IDLE	0
#define IA_HAVE_NICE	0
#define IA_HAVE_IOPRIO	0
#define ia_ioprio_get()		(0)
#define ia_ioprio_set(v)	(0)
#endif

/* parent-to-child attribute map (hypo.c) */
#if PG_VERSION_NUM >= 160000
#define ia_build_attrmap_by_name(indesc, outdesc) \
	build_attrmap_by_name((indesc), (outdesc), false)
#else
#define ia_build_attrmap_by_name(indesc, outdesc) \
	build_attrmap_by_name((indesc), (outdesc))
#endif

#endif							/* INDEX_ADVISOR_COMPAT_H */
