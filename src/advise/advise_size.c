/*-------------------------------------------------------------------------
 *
 * advise_size.c
 *		The advisor's candidates sized on the terms of the statements they
 *		were drawn from, before they are selected (advise_select.c weighs
 *		the sizes).
 *
 * Design.  A candidate's size is the engine's model (hypo.c,
 * ia_hypo_size), run by planning "SELECT FROM <table>" with it.  That
 * planning runs the code of the table (its indexes' expressions and
 * predicates, its partitions'), so it is done as the author and planning
 * role of the first statement the candidate was drawn from
 * (plan_prepared.c, ia_prepare_for), never as the caller: a caller with
 * the author's privileges may lack the table owner's (42501 for the whole
 * call, before), and an author may read the table only through another
 * role's view.  Sizing can still fail where the statement's own plans
 * never reached (a partition they prune, whose index expression raises):
 * that candidate is left out, and the statements it came from say so in
 * their note; the others are advised on.  A cancel is re-thrown.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "index_advisor.h"
#include "ia_advise.h"
#include "ia_plan.h"
#include "advise_internal.h"

/* The first statement c was drawn from, or NULL. */
static AdvQuery *
source_of(AdvState *st, IaCand *c)
{
	ListCell   *lc;

	foreach(lc, st->queries)
		if (bms_is_member(((AdvQuery *) lfirst(lc))->qno, c->from))
			return lfirst(lc);
	return NULL;
}

/* Each statement c was drawn from says, in its note, why c was left out. */
static void
note_unsized(AdvState *st, IaCand *c, const char *why)
{
	char	   *note = psprintf("%s was left out: its size cannot be estimated (%s)",
								c->text, why);
	ListCell   *lc;

	foreach(lc, st->queries)
	{
		AdvQuery   *q = lfirst(lc);

		if (bms_is_member(q->qno, c->from))
			q->notes = q->notes ? psprintf("%s; %s", q->notes, note) : note;
	}
}

/*
 * ia_advise_size_one -- size c (ia_advise_cand_bytes, kept in the
 * candidate) on the terms of the first statement it was drawn from (see
 * the file header); false, with a note in its statements, when it cannot
 * be sized or was drawn from no statement left.
 */
bool
ia_advise_size_one(AdvState *st, IaCand *c)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	AdvQuery   *src = source_of(st, c);
	volatile bool sized = false;

	CHECK_FOR_INTERRUPTS();
	if (src == NULL)
		return false;			/* drawn from no statement left: unused */
	c->hypo->sized_for = src->prep;
	ia_subxact_begin(cxt);
	PG_TRY();
	{
		(void) ia_advise_cand_bytes(c);
		ia_subxact_end(cxt, owner, true);
		sized = true;
	}
	PG_CATCH();
	{
		ErrorData  *edata = ia_subxact_caught(cxt, owner, true);

		note_unsized(st, c, psprintf("%s: %s",
									 unpack_sql_state(edata->sqlerrcode),
									 edata->message));
	}
	PG_END_TRY();
	return sized;
}

/*
 * ia_advise_size_candidates -- size every candidate of st
 * (ia_advise_size_one); leave out those that cannot be sized.
 */
void
ia_advise_size_candidates(AdvState *st)
{
	List	   *kept = NIL;
	ListCell   *lc;

	foreach(lc, st->cands)
		if (ia_advise_size_one(st, lfirst(lc)))
			kept = lappend(kept, lfirst(lc));
	st->cands = kept;
}
