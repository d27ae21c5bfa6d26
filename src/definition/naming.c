/*-------------------------------------------------------------------------
 *
 * naming.c
 *		The index name: the one given (free, or IF NOT EXISTS of the same
 *		definition), or the one PostgreSQL would choose.
 *
 * Design: a name is taken when a relation has it in the schema or a queued
 * or running create reserves it (asked of queue.c when ask_queue).  The
 * chosen name follows ChooseIndexName() (PostgreSQL 15), adapted to also
 * step over reserved names.  IF NOT EXISTS skips only an index that the
 * duplicate rule (duplicates.c) says is the same definition.
 *
 * Caller's rules: inside a transaction; nothing here writes anything.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "commands/defrem.h"
#include "mb/pg_wchar.h"
#include "parser/parse_target.h"
#include "utils/lsyscache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

#include "definition_internal.h"

static bool name_taken(Oid nspid, const char *name, bool ask_queue);

/*
 * check_same_definition -- IF NOT EXISTS skips only an index that is what the
 * definition asks for: on the same table, and the duplicate rule
 * (ia_index_covers) both ways (so also unique exactly when asked).  Another
 * index of that name is an error, not a silent skip: the migration that
 * asked for it would believe it got it.
 */
static void
check_same_definition(IaDefinition *def, Oid existing, ResolvedIndex *ri)
{
	Relation	irel = index_open(existing, AccessShareLock);
	bool		same = irel->rd_index->indrelid == def->relid &&
		irel->rd_index->indisunique == ri->unique &&
		ia_index_covers(irel, ri);

	index_close(irel, AccessShareLock);
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("index \"%s\" already exists with a different definition",
						def->index_name),
				 errdetail("IF NOT EXISTS skips only an index of the same table and definition; the existing one is: %s.",
						   pg_get_indexdef_string(existing)),
				 errhint("Choose another name, or drop the existing index first.")));
}

/*
 * ia_check_name -- the given name is free (or, with IF NOT EXISTS, names a
 * valid index of the same definition already: returns true, nothing to do).
 */
bool
ia_check_name(IaDefinition *def, ResolvedIndex *ri, bool ask_queue)
{
	Oid			existing = get_relname_relid(def->index_name, def->nspid);
	char	   *pending;

	if (OidIsValid(existing))
	{
		HeapTuple	tuple;
		bool		valid = false;
		char		relkind = get_rel_relkind(existing);
		bool		is_index = relkind == RELKIND_INDEX ||
			relkind == RELKIND_PARTITIONED_INDEX;

		if (is_index)
		{
			tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(existing));
			if (HeapTupleIsValid(tuple))
			{
				valid = ((Form_pg_index) GETSTRUCT(tuple))->indisvalid;
				ReleaseSysCache(tuple);
			}
		}
		if (def->stmt->if_not_exists && is_index && valid)
		{
			check_same_definition(def, existing, ri);
			ereport(NOTICE,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation \"%s\" already exists, skipping",
							def->index_name)));
			return true;
		}
		if (is_index && !valid)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("index \"%s\" already exists and is invalid",
							def->index_name),
					 errdetail("An INVALID index is left over from a failed build and slows every write."),
					 errhint("Drop it with DROP INDEX CONCURRENTLY, then apply the definition again.")));
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("relation \"%s\" already exists", def->index_name)));
	}

	if (!ask_queue)
		return false;
	pending = ia_pending_name_exists(def->nspid, def->index_name);
	if (pending != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg("index \"%s\" is already queued for creation",
						def->index_name),
				 errdetail("%s", pending)));
	return false;
}

static bool
name_taken(Oid nspid, const char *name, bool ask_queue)
{
	return OidIsValid(get_relname_relid(name, nspid)) ||
		(ask_queue && ia_pending_name_exists(nspid, name) != NULL);
}

/*
 * index_column_names -- the names PostgreSQL gives the columns of an index
 * (key columns, then INCLUDE columns): a name that an earlier column has
 * gets the first free number appended, clipped to fit NAMEDATALEN, so that
 * (lower(a), lower(b)) gives "lower" and "lower1".  Adapted from
 * ChooseIndexColumnNames() in src/backend/commands/indexcmds.c
 * (PostgreSQL 15).
 */
static List *
index_column_names(List *elems)
{
	List	   *result = NIL;
	ListCell   *lc;

	foreach(lc, elems)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);
		const char *origname;
		char	   *curname;

		if (elem->indexcolname)
			origname = elem->indexcolname;
		else if (elem->name)
			origname = elem->name;
		else
			origname = "expr";

		curname = pstrdup(origname);
		for (int i = 1; list_member(result, makeString(curname)); i++)
		{
			char		nbuf[32];
			int			nlen;

			snprintf(nbuf, sizeof(nbuf), "%d", i);
			nlen = pg_mbcliplen(origname, strlen(origname),
								NAMEDATALEN - 1 - strlen(nbuf));
			curname = psprintf("%.*s%s", nlen, origname, nbuf);
		}
		result = lappend(result, makeString(curname));
	}
	return result;
}

/*
 * ia_choose_name -- the name PostgreSQL would give the index, also
 * avoiding names reserved by queued rows.  Adapted from ChooseIndexName(),
 * ChooseIndexNameAddition() and ChooseRelationName() in
 * src/backend/commands/indexcmds.c and namespace.c (PostgreSQL 15).
 */
char *
ia_choose_name(Relation rel, IndexStmt *stmt, Oid nspid, bool ask_queue)
{
	char		buf[NAMEDATALEN * 2];
	int			buflen = 0;
	ListCell   *lc;
	List	   *all = list_concat_copy(stmt->indexParams, stmt->indexIncludingParams);
	const char *label = "idx";
	char	   *base;
	int			pass = 0;

	buf[0] = '\0';
	foreach(lc, index_column_names(all))
	{
		const char *name = strVal(lfirst(lc));

		if (buflen > 0)
			buf[buflen++] = '_';
		strlcpy(buf + buflen, name, NAMEDATALEN);
		buflen += strlen(buf + buflen);
		if (buflen >= NAMEDATALEN)
			break;
	}
	base = pstrdup(buf);

	for (;;)
	{
		char	   *candidate;
		char		modlabel[NAMEDATALEN];

		if (pass == 0)
			strlcpy(modlabel, label, sizeof(modlabel));
		else
			snprintf(modlabel, sizeof(modlabel), "%s%d", label, pass);
		candidate = makeObjectName(RelationGetRelationName(rel), base, modlabel);
		if (!name_taken(nspid, candidate, ask_queue))
			return candidate;
		pfree(candidate);
		pass++;
	}
}

/*
 * ia_choose_index_name -- the name PostgreSQL would give an index of the
 * raw statement "stmt" on relation "relid" (used for the index of each
 * partition).  No parse analysis: expression columns are named from the
 * raw expression, as transformIndexStmt() does before transforming.
 */
char *
ia_choose_index_name(Oid relid, IndexStmt *stmt)
{
	IndexStmt  *copy = copyObject(stmt);
	Relation	rel = table_open(relid, AccessShareLock);
	List	   *all = list_concat_copy(copy->indexParams, copy->indexIncludingParams);
	ListCell   *lc;
	char	   *name;

	foreach(lc, all)
	{
		IndexElem  *elem = lfirst_node(IndexElem, lc);

		if (elem->expr && elem->indexcolname == NULL)
			elem->indexcolname = FigureIndexColname(elem->expr);
	}
	name = ia_choose_name(rel, copy, RelationGetNamespace(rel), true);
	table_close(rel, AccessShareLock);
	return name;
}
