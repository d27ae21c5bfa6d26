/*-------------------------------------------------------------------------
 *
 * compat.h
 *		Every PostgreSQL version difference index_advisor depends on.
 *
 * The extension targets PostgreSQL 15.  Code elsewhere calls the names
 * below and never tests PG_VERSION_NUM itself, so that supporting 13-18
 * means editing this one file.
 *
 *-------------------------------------------------------------------------
 */
#ifndef INDEX_ADVISOR_COMPAT_H
#define INDEX_ADVISOR_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix)	EmitWarningsOnPlaceholders(prefix)
#define pg_analyze_and_rewrite_fixedparams(r, s, p, n, e) \
	pg_analyze_and_rewrite((r), (s), (p), (n), (e))
#endif

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

/* parent-to-child attribute map (hypo.c) */
#if PG_VERSION_NUM >= 160000
#define ia_build_attrmap_by_name(indesc, outdesc) \
	build_attrmap_by_name((indesc), (outdesc), false)
#else
#define ia_build_attrmap_by_name(indesc, outdesc) \
	build_attrmap_by_name((indesc), (outdesc))
#endif

#endif							/* INDEX_ADVISOR_COMPAT_H */
