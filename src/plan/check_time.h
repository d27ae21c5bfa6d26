/*-------------------------------------------------------------------------
 *
 * check_time.h
 *		The time limits of a check (index_advisor.check_timeout per stored
 *		query, a deadline per row from index_advisor.check_total_timeout)
 *		and the rule that a real cancel is never taken for one of them
 *		(check_time.c).  For the check of stored queries
 *		(src/check/verify_queries.c), which calls it around each stored
 *		query it plans at check time, and verify.c (its setting).
 *
 * Caller's rules: ia_check_begin() and ia_check_end() bracket a whole
 * check (ia_check_end also on error: PG_FINALLY); between them, each
 * query is planned between ia_check_timer_start() and
 * ia_check_timer_stop(), and a caught error is passed to
 * ia_check_caught() after ia_check_timer_stop().
 *
 *-------------------------------------------------------------------------
 */
#ifndef INDEX_ADVISOR_CHECK_TIME_H
#define INDEX_ADVISOR_CHECK_TIME_H

#include "postgres.h"

#include "datatype/timestamp.h"

/* what ia_check_caught() found an error to be */
typedef enum IaCheckStop
{
	IA_CHECK_ERROR,				/* the query's own error: record it */
	IA_CHECK_TIMEOUT,			/* check_timeout: a planning error */
	IA_CHECK_NOT_CHECKED		/* the deadline: no verdict */
} IaCheckStop;

/* the message of a query the deadline stopped, or never started */
#define IA_NOT_CHECKED_MESSAGE "not checked: the check's time ran out"

/* defines index_advisor.check_timeout; from ia_verify_init */
extern void ia_check_time_init(void);

extern void ia_check_begin(void);
extern void ia_check_end(void);
extern bool ia_check_deadline_passed(TimestampTz deadline);
extern bool ia_check_timer_start(TimestampTz deadline, int flags);
extern void ia_check_timer_stop(void);
extern IaCheckStop ia_check_caught(ErrorData *edata, int flags);

#endif							/* INDEX_ADVISOR_CHECK_TIME_H */
