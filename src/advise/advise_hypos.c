/*-------------------------------------------------------------------------
 *
 * advise_hypos.c
 *		The advisor's candidates as hypothetical indexes of the one engine
 *		(ia_hypo_from_definition_unowned: resolved as written, nothing
 *		folded), and whether idx_apply would refuse one as a duplicate of
 *		an existing or queued index (ia_resolve_candidate, as the caller).
 *		Each in a subtransaction that is rolled back or released, so that
 *		one candidate's error leaves out that candidate only.  Split from
 *		advise_select.c along this seam.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "utils/elog.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "index_advisor.h"
#include "ia_advise.h"
#include "ia_plan.h"
#include "ia_definition.h"
#include "advise_internal.h"

/*
 * ia_advise_refused_as_duplicate -- would idx_apply refuse c as covered by an existing or queued index?  Asks
 * definition/resolve.c as the caller, c resolved as written (nothing of it folded
 * as the caller: see fold_uses); a refusal because the caller may not build
 * it (42501: not the owner) is kept in c->apply_refusal for the row's note.
 */
bool
ia_advise_refused_as_duplicate(IaCand *c)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool dup = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		(void) ia_resolve_candidate(c->text);
		RollbackAndReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		ErrorData  *edata = ia_subxact_caught(cxt, owner, true);

		dup = (edata->sqlerrcode == ERRCODE_DUPLICATE_OBJECT);
		if (edata->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE)
			c->apply_refusal = psprintf("idx_apply would refuse it to you (42501: %s); the table's owner can apply it",
										edata->message);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	CurrentResourceOwner = owner;
	return dup;
}

/*
 * ia_advise_make_hypos -- each candidate's hypothetical index, resolved by
 * definition/resolve.c as idx_apply resolves it except for who may build it, and
 * as written: nothing folded, as the caller or anyone (fold_uses did, as
 * the statement's planning role) (ia_hypo_from_definition_unowned); in
 * cands' memory; the list of those
 * that resolved (one that an existing index covers, say, is left out).
 */
List *
ia_advise_make_hypos(List *cands)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *volatile out = NIL;
	ListCell   *lc;

	foreach(lc, cands)
	{
		IaCand	   *c = lfirst(lc);

		CHECK_FOR_INTERRUPTS();
		BeginInternalSubTransaction(NULL);
		MemoryContextSwitchTo(cxt);
		PG_TRY();
		{
			c->hypo = ia_hypo_from_definition_unowned(c->text);
			ReleaseCurrentSubTransaction();
			out = lappend(out, c);
		}
		PG_CATCH();
		{
			ErrorData  *edata = ia_subxact_caught(cxt, owner, true);

			elog(DEBUG1, "index_advisor: candidate %s left out: %s",
				 c->text, edata->message);
		}
		PG_END_TRY();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	return out;
}
