/*-------------------------------------------------------------------------
 *
 * check_time.c
 *		How long a check may plan, and cancels that are never swallowed:
 *		the timer that bounds each stored query the check of stored
 *		queries (src/check/verify_queries.c) plans at check time (idx_check, idx_report, idx_explain), and how an error that
 *		comes out of that planning is told apart from a real cancel.
 *
 * Design.  One timer of our own bounds each stored query: it fires after
 * index_advisor.check_timeout, or at the row's deadline (its role's share
 * of index_advisor.check_total_timeout, which usage.c hands out) if that
 * comes first.  It stops the planning the way statement_timeout does, by
 * setting QueryCancelPending, so that CHECK_FOR_INTERRUPTS() anywhere in
 * the planner (or in a folded function) throws 57014.  A query our timer
 * stopped at check_timeout is a planning error (a finding); one stopped at
 * the deadline, or not started before it, is "not checked" (no verdict).
 *
 * Telling our timer from a real cancel.  A user's cancel
 * (pg_cancel_backend) and statement_timeout (which signals the backend
 * itself) both arrive as SIGINT, and set the same QueryCancelPending; when
 * both are pending, one error comes out of CHECK_FOR_INTERRUPTS, and which
 * message it has says nothing about who else asked.  A flag set by the
 * timer alone cannot tell: the timer may fire in the same window as the
 * cancel.  So from ia_check_begin() to ia_check_end() SIGINT goes through
 * check_sigint(), which notes it in user_cancel before it calls the
 * handler it replaced.  Then:
 *	- an error 57014 while user_cancel is set is re-thrown, whether or not
 *	  our timer fired too: a real cancel always ends the call;
 *	- an error 57014 when our timer fired and no SIGINT came is ours;
 *	- an error 57014 when neither happened was raised by code the planner
 *	  ran (a folded function can RAISE it): the query's own error, which
 *	  must not stop everybody's check.
 * When our timer fires after the query's last CHECK_FOR_INTERRUPTS (the
 * query is done), ia_check_timer_stop() clears its QueryCancelPending, and
 * then reads user_cancel and sets the cancel again if a SIGINT came: the
 * order matters.  check_sigint sets user_cancel *before* the replaced
 * handler sets QueryCancelPending, so a SIGINT that came before the clear
 * is seen by the read after it, and one that comes after the clear sets
 * QueryCancelPending itself.  user_cancel stays set until the outermost
 * check ends, or until an error that is not 57014 spent it (lock_timeout,
 * the one other SIGINT, errors with 55P03; PostgreSQL itself reports a
 * cancel that comes with it as the lock timeout).
 *
 * statement_timeout's indicator (get_timeout_indicator) would not do:
 * ProcessInterrupts resets it as it throws, and pg_cancel_backend has none.
 * A check here is one ia_verify_queries() call (one row); a cancel pending
 * from before is seen at ia_check_begin() in QueryCancelPending.
 *
 * Known limits: on a standby (idx_report), a recovery conflict sets
 * QueryCancelPending without SIGINT; if our timer fires in the same
 * window, the conflict's error (40001) is recorded as the query's error.
 * A check nested in a check (a folded function calling idx_explain) re-arms
 * the one timer, so the outer query runs on without one.  pqsignal() is
 * PostgreSQL 15's: it returns the handler it replaced.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>
#include <signal.h>

#include "miscadmin.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "ia_plan.h"
#include "ia_check.h"

/*
 * index_advisor.check_timeout: the longest one stored query may take to be
 * planned at check time (ms, 0 = no limit).  Our timer, registered on first
 * use; whether it fired during the current query, and whether it was set
 * for the row's deadline rather than for check_timeout.
 */
static int	check_timeout = 10000;
static TimeoutId check_timeout_id = MAX_TIMEOUTS;
static volatile sig_atomic_t check_timed_out = false;
static bool timer_is_deadline = false;

/* SIGINT seen during the outermost check, and the handler we wrapped */
static volatile sig_atomic_t user_cancel = false;
static pqsigfunc volatile replaced_sigint = NULL;
static int	check_depth = 0;

/* Called once from ia_verify_init, before MarkGUCPrefixReserved. */
void
ia_check_time_init(void)
{
	DefineCustomIntVariable("index_advisor.check_timeout",
							"The longest the planning of one stored query may take in idx_check(), idx_report() and idx_explain().",
							"A query that takes longer is recorded as a planning error; 0 means no limit.",
							&check_timeout,
							10000, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
}

/* SIGINT during a check: a real cancel (see the file's header) */
static void
check_sigint(SIGNAL_ARGS)
{
	pqsigfunc	handler = replaced_sigint;

	user_cancel = true;
	/* never NULL while we are installed (see ia_check_begin); if it were,
	 * the backend's own handler rather than a jump to address 0 */
	(handler != NULL ? handler : StatementCancelHandler) (postgres_signal_arg);
}

/*
 * ia_check_begin -- a check starts: SIGINT is noted from now on (the
 * outermost call only; a nested check shares it).  A cancel already
 * pending is a real one: our timer is not running.
 */
void
ia_check_begin(void)
{
	pqsigfunc	prev;

	if (check_depth++ > 0)
		return;
	user_cancel = QueryCancelPending;

	/*
	 * Read the handler first, install ours second: a SIGINT between the two
	 * steps of "prev = pqsignal(...)" would find our handler with nothing to
	 * pass the signal on to (the sqlsmith fuzz test hit it: a jump to
	 * address 0 on a cancel).
	 */
	{
		struct sigaction old;

		if (sigaction(SIGINT, NULL, &old) != 0)
			return;
		prev = old.sa_handler;
	}
	if (prev == SIG_IGN || prev == SIG_DFL || prev == SIG_ERR ||
		prev == check_sigint)
		return;			/* nothing cancels through SIGINT here */
	replaced_sigint = prev;
	(void) pqsignal(SIGINT, check_sigint);
}

/* ia_check_end -- the check is over (also on error): SIGINT as before */
void
ia_check_end(void)
{
	if (--check_depth > 0)
		return;
	if (replaced_sigint != NULL)
		(void) pqsignal(SIGINT, replaced_sigint);	/* ours is gone first */
	replaced_sigint = NULL;
	user_cancel = false;
}

static void
check_timeout_handler(void)
{
	check_timed_out = true;
	InterruptPending = true;
	QueryCancelPending = true;
	SetLatch(MyLatch);
}

/* ia_check_deadline_passed -- a deadline (0: none) has come */
bool
ia_check_deadline_passed(TimestampTz deadline)
{
	return deadline != 0 && GetCurrentTimestamp() >= deadline;
}

/*
 * ia_check_timer_start -- arm our timer for one query: check_timeout, or
 * the deadline (0: none) if that comes first; none at idx_apply.  False
 * when the deadline has come already: the query is not to be planned.
 */
bool
ia_check_timer_start(TimestampTz deadline, int flags)
{
	TimestampTz now = GetCurrentTimestamp();
	TimestampTz fin = 0;

	check_timed_out = false;
	timer_is_deadline = false;
	if (deadline != 0 && now >= deadline)
		return false;
	if ((flags & IA_VERIFY_APPLY) == 0 && check_timeout > 0)
		fin = TimestampTzPlusMilliseconds(now, check_timeout);
	if (deadline != 0 && (fin == 0 || deadline < fin))
	{
		fin = deadline;
		timer_is_deadline = true;
	}
	if (fin == 0)
		return true;
	if (check_timeout_id == MAX_TIMEOUTS)
		check_timeout_id = RegisterTimeout(USER_TIMEOUT, check_timeout_handler);
	enable_timeout_at(check_timeout_id, fin);
	return true;
}

/*
 * ia_check_timer_stop -- disarm our timer.  A cancel it set that nothing
 * has thrown yet came too late to stop anything: it is taken back, never
 * a real one (the order of the two steps: see the file's header).
 */
void
ia_check_timer_stop(void)
{
	if (check_timeout_id != MAX_TIMEOUTS)
		disable_timeout(check_timeout_id, false);
	if (check_timed_out && QueryCancelPending)
	{
		QueryCancelPending = false;
		if (user_cancel)
		{
			InterruptPending = true;
			QueryCancelPending = true;
		}
	}
}

/*
 * ia_check_caught -- what an error caught while planning one query is,
 * after ia_check_timer_stop().  A real cancel (SIGINT: pg_cancel_backend,
 * statement_timeout) is re-thrown.  Our timer's cancel gets its message
 * here.  Anything else, a 57014 that code the planner ran raised included,
 * is the query's own error (a lock_timeout too, as before).
 */
IaCheckStop
ia_check_caught(ErrorData *edata, int flags)
{
	bool		fired = check_timed_out;

	check_timed_out = false;
	if (edata->sqlerrcode != ERRCODE_QUERY_CANCELED)
	{
		/*
		 * lock_timeout also arrives as SIGINT, and comes out as 55P03: the
		 * SIGINTs noted so far were spent on this error unless a cancel is
		 * still pending.  Cleared first, then read: a SIGINT in between
		 * sets both again.
		 */
		if (user_cancel)
		{
			user_cancel = false;
			if (QueryCancelPending)
				user_cancel = true;
		}
		return IA_CHECK_ERROR;
	}
	if (user_cancel)
		ReThrowError(edata);
	if (!fired)
		return IA_CHECK_ERROR;
	edata->detail = NULL;
	if (timer_is_deadline)
	{
		edata->message = pstrdup(IA_NOT_CHECKED_MESSAGE);
		edata->hint = pstrdup("index_advisor.check_total_timeout bounds the planning of a whole check, and each role's stored queries get a share of it; the next check starts with what was not checked.");
		return IA_CHECK_NOT_CHECKED;
	}
	edata->message = psprintf((flags & IA_VERIFY_ANALYZE) ?
							  "planning and measuring took longer than index_advisor.check_timeout (%d ms)" :
							  "planning took longer than index_advisor.check_timeout (%d ms)",
							  check_timeout);
	edata->hint = pstrdup("An IMMUTABLE function that the planner runs may be slow; raise index_advisor.check_timeout or fix the function.");
	return IA_CHECK_TIMEOUT;
}
