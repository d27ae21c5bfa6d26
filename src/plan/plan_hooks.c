/*-------------------------------------------------------------------------
 *
 * plan_hooks.c
 *		The planner hooks of the one planner path: what index_advisor's own
 *		planner calls see (hypothetical indexes added, real indexes hidden)
 *		and the names EXPLAIN gives hypothetical indexes.
 *
 * The rule (doc/safety-planning.md, DESIGN.md fact 22).  Hypothetical
 * indexes, and the real indexes index_advisor hides to cost a plan without
 * them, exist only for the planner call index_advisor itself makes: not for
 * planning nested inside it (the SPI queries of an IMMUTABLE or STABLE
 * plpgsql or SQL function that the planner folds, a prepared statement
 * such a function EXECUTEs, a nested idx_whatif), and so never in a plan
 * that plpgsql, a prepared statement, a generic plan or a cursor keeps.
 * 0.2 applied them to every planning while its lists were set: cached
 * plans of the session kept a hypothetical index ("could not open relation
 * with OID") or a LEFT JOIN removed by a hypothetical UNIQUE index (wrong
 * counts, no error).
 *
 * How.  A planner_hook wrapper counts planner() calls in progress
 * (planner_depth).  A caller that is about to plan pushes a frame: the
 * hypothetical indexes, the hidden ones, and the depth planning stands at
 * now.  The get_relation_info hook acts only when the innermost frame was
 * pushed at exactly one level above the planner call being run: that is
 * the call that caller makes next (pg_plan_query -> planner()).  Planning
 * nested inside it runs one level deeper and sees nothing; a nested
 * idx_whatif pushes a frame of its own at its own depth, which its
 * planning sees instead of the outer one's (it never sees the outer's
 * indexes) and pops before the outer planning goes on (the outer's frame is
 * untouched: frames are a stack, not one slot that the inner call resets).
 * Every push is popped on every path (PG_FINALLY in the callers); frames a
 * planner call left behind are dropped when that call ends, and all are
 * dropped at the end of the transaction, so an error can never leave one
 * set.  Nothing here lives past the planner call it was pushed for.
 *
 * Caller's rules: push right before pg_plan_query() and pop right after it
 * (nothing else may plan in between at that depth); keep the lists alive
 * until the pop.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/explain.h"
#include "optimizer/plancat.h"
#include "optimizer/planner.h"
#include "tcop/tcopprot.h"

#include "index_advisor.h"
#include "ia_plan.h"
#include "ia_check.h"

/* One planning of ours: what its planner call sees. */
typedef struct PlanFrame
{
	int			depth;			/* planner_depth when pushed */
	List	   *hypos;			/* IaHypoIndex * to add */
	List	   *hidden;			/* real index OIDs to leave out */
	List	   *explained;		/* IaHypoIndex * EXPLAIN names */
	bool		hide_only;		/* pushed by ia_planning_hide() */
} PlanFrame;

/* Deeper than this, a nested idx_whatif is refused (54001). */
#define IA_MAX_FRAMES 16

static PlanFrame frames[IA_MAX_FRAMES];
static int	nframes = 0;
static int	planner_depth = 0;

/* ia_planning_collect_relations(): where plans' relationOids go, or NULL */
static List **relations_sink = NULL;
static MemoryContext relations_cxt = NULL;

static planner_hook_type prev_planner = NULL;
static get_relation_info_hook_type prev_get_relation_info = NULL;
static explain_get_index_name_hook_type prev_explain_index_name = NULL;

/* The frame the planner call now running was pushed for, or NULL. */
static PlanFrame *
current_frame(void)
{
	if (nframes == 0 || frames[nframes - 1].depth + 1 != planner_depth)
		return NULL;
	return &frames[nframes - 1];
}

/*
 * ia_planning_push -- the next planner() call at the current depth sees
 * hypos added and hidden left out; EXPLAIN names "explained".  Returns the
 * mark to give ia_planning_pop().
 */
int
ia_planning_push(List *hypos, List *hidden, List *explained)
{
	PlanFrame  *f;

	if (nframes >= IA_MAX_FRAMES)
		ereport(ERROR,
				(errcode(ERRCODE_STATEMENT_TOO_COMPLEX),
				 errmsg("index_advisor planning is nested too deeply"),
				 errdetail("A function that the planner folds called idx_whatif, idx_advise or a check again, %d levels deep.",
						   IA_MAX_FRAMES),
				 errhint("Do not call index_advisor's functions from IMMUTABLE or STABLE functions.")));
	f = &frames[nframes];
	f->depth = planner_depth;
	f->hypos = hypos;
	f->hidden = hidden;
	f->explained = explained;
	f->hide_only = false;
	return nframes++;
}

/* ia_planning_pop -- drop the frame of "mark" and any pushed after it. */
void
ia_planning_pop(int mark)
{
	if (mark >= 0 && mark < nframes)
		nframes = mark;
}

/*
 * ia_plan_one -- pg_plan_query(q) (parallel allowed, $n from params) in a
 * planner call that alone sees hypos added and hidden left out.
 */
PlannedStmt *
ia_plan_one(Query *q, const char *text, ParamListInfo params, List *hypos,
			List *hidden)
{
	int			mark = ia_planning_push(hypos, hidden, NIL);
	PlannedStmt *volatile stmt = NULL;

	PG_TRY();
	{
		stmt = pg_plan_query(q, text, CURSOR_OPT_PARALLEL_OK, params);
		if (relations_sink != NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(relations_cxt);

			*relations_sink = list_concat_unique_oid(*relations_sink,
													 stmt->relationOids);
			MemoryContextSwitchTo(old);
		}
	}
	PG_FINALLY();
	{
		ia_planning_pop(mark);
	}
	PG_END_TRY();
	return stmt;
}

/*
 * ia_planning_collect_relations -- from now on, ia_plan_one() adds the
 * relations each plan it makes depends on (relationOids) to *sink, in the
 * current memory context (verdicts.c's fingerprint); NULL stops.  Reset at
 * the end of the transaction.
 */
void
ia_planning_collect_relations(List **sink)
{
	relations_sink = sink;
	relations_cxt = CurrentMemoryContext;
}

/*
 * ia_planning_hide -- measure.c's hook: hide indexoids from the next
 * planner() call at this depth; NIL undoes it (idempotent).
 */
void
ia_planning_hide(List *indexoids)
{
	if (indexoids != NIL)
	{
		(void) ia_planning_push(NIL, indexoids, NIL);
		frames[nframes - 1].hide_only = true;
	}
	else if (nframes > 0 && frames[nframes - 1].hide_only &&
			 frames[nframes - 1].depth == planner_depth)
		nframes--;
}

/*
 * planner_hook: count the calls in progress; a call that ends drops the
 * frames pushed inside it (left behind only by an error).
 */
static PlannedStmt *
hook_planner(Query *parse, const char *query_string, int cursorOptions,
			 ParamListInfo boundParams)
{
	PlannedStmt *result;

	planner_depth++;
	PG_TRY();
	{
		if (prev_planner)
			result = prev_planner(parse, query_string, cursorOptions,
								  boundParams);
		else
			result = standard_planner(parse, query_string, cursorOptions,
									  boundParams);
	}
	PG_CATCH();
	{
		planner_depth--;
		while (nframes > 0 && frames[nframes - 1].depth > planner_depth)
			nframes--;
		PG_RE_THROW();
	}
	PG_END_TRY();
	planner_depth--;
	while (nframes > 0 && frames[nframes - 1].depth > planner_depth)
		nframes--;
	return result;
}

/*
 * get_relation_info_hook: in the planner call of the current frame only,
 * drop the hidden indexes from the relation's indexes and add the
 * hypothetical ones that apply to it (not to a partitioned or inheritance
 * parent: a real index there is never scanned either).  Chained: the
 * previous hook (e.g. HypoPG's) runs first.
 */
static void
hook_get_relation_info(PlannerInfo *root, Oid relid, bool inhparent,
					   RelOptInfo *rel)
{
	PlanFrame  *f;
	ListCell   *lc;

	if (prev_get_relation_info)
		prev_get_relation_info(root, relid, inhparent, rel);

	f = current_frame();
	if (f == NULL)
		return;
	if (f->hypos != NIL && !inhparent)
		ia_hypo_add_indexes(root, relid, rel, f->hypos);
	if (f->hidden == NIL)
		return;
	foreach(lc, rel->indexlist)
	{
		IndexOptInfo *info = (IndexOptInfo *) lfirst(lc);

		if (list_member_oid(f->hidden, info->indexoid))
			rel->indexlist = foreach_delete_current(rel->indexlist, lc);
	}
}

/* explain_get_index_name_hook: the name of a hypothetical index */
static const char *
hook_explain_index_name(Oid indexoid)
{
	const char *name = nframes > 0 ?
		ia_hypo_name(frames[nframes - 1].explained, indexoid) : NULL;

	if (name != NULL)
		return name;
	if (prev_explain_index_name)
		return prev_explain_index_name(indexoid);
	return NULL;
}

/* No frame outlives its transaction, whatever happened. */
static void
planning_xact_callback(XactEvent event, void *arg)
{
	nframes = 0;
	relations_sink = NULL;
}

/* Called once from ia_verify_init (from _PG_init). */
void
ia_plan_hooks_init(void)
{
	prev_planner = planner_hook;
	planner_hook = hook_planner;
	prev_get_relation_info = get_relation_info_hook;
	get_relation_info_hook = hook_get_relation_info;
	prev_explain_index_name = explain_get_index_name_hook;
	explain_get_index_name_hook = hook_explain_index_name;
	RegisterXactCallback(planning_xact_callback, NULL);
}
