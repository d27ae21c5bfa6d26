/*-------------------------------------------------------------------------
 *
 * ia_autopilot.h
 *		What src/autopilot/ offers the others: its settings, Welch's test.
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_AUTOPILOT_H
#define IA_AUTOPILOT_H

/* autopilot.c: the index_advisor.autopilot_* settings, by _PG_init */
extern void ia_autopilot_define_settings(void);

/* welch.c: Welch's t-test on two windows (doc/autopilot.md, "Statistics") */
extern double ia_student_t_upper(double t, double df);
extern bool ia_welch(double m1, double s1, double n1,
					 double m2, double s2, double n2,
					 double k, double *t, double *df, double *p);

#endif							/* IA_AUTOPILOT_H */
