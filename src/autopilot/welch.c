/*-------------------------------------------------------------------------
 *
 * welch.c
 *		Welch's t-test on two windows of one statement: the one statistic
 *		the autopilot decides on (idx_autopilot_welch, idx_autopilot_shifted).
 *
 * Each window gives a statement's calls n, mean m and sample standard
 * deviation s (idx_autopilot_window: exact, from two pg_stat_statements
 * snapshots).  To ask "is the after window slower than the before window by
 * more than a fraction r", the before mean is scaled by (1 + r) -- and its
 * deviation with it -- and Welch's one-sided test is run on the shifted
 * means:
 *
 *	t  = (m2 - k m1) / sqrt(k^2 s1^2 / n1 + s2^2 / n2),   k = 1 + r
 *	df = Welch-Satterthwaite
 *	p  = P(T_df > t)
 *
 * "Faster by at least r" is the same test with k = 1 - r and the sign
 * turned.  The Student t tail comes from the regularised incomplete beta
 * function, I_x(a, b) with x = df / (df + t^2), a = df / 2, b = 1/2, by
 * its continued fraction (modified Lentz), which converges fast for the
 * x these calls give.  Accuracy: 1e-9 relative up to 1e7 calls a window,
 * 1e-7 at 1e9 (the ln Gamma difference by Stirling's series for large df,
 * x and 1 - x each computed directly; what is left is the fraction's
 * coefficients near x = 1), far below what decides.
 *
 * A window with fewer than two calls has no deviation: the test returns
 * NULL (not known), and the caller waits for more calls.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "access/htup_details.h"

#include "ia_autopilot.h"

#define CF_MAX_ITERATIONS	300
#define CF_EPSILON			1e-12
#define CF_TINY				1e-300

/* the continued fraction of I_x(a, b), modified Lentz */
static double
beta_fraction(double x, double a, double b)
{
	double		c = 1.0;
	double		d = 1.0 - (a + b) * x / (a + 1.0);
	double		h;
	int			m;

	if (fabs(d) < CF_TINY)
		d = CF_TINY;
	d = 1.0 / d;
	h = d;
	for (m = 1; m <= CF_MAX_ITERATIONS; m++)
	{
		int			m2 = 2 * m;
		double		num;
		double		delta;

		/* even step */
		num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
		d = 1.0 + num * d;
		c = 1.0 + num / c;
		if (fabs(d) < CF_TINY)
			d = CF_TINY;
		if (fabs(c) < CF_TINY)
			c = CF_TINY;
		d = 1.0 / d;
		h *= d * c;
		/* odd step */
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
		d = 1.0 + num * d;
		c = 1.0 + num / c;
		if (fabs(d) < CF_TINY)
			d = CF_TINY;
		if (fabs(c) < CF_TINY)
			c = CF_TINY;
		d = 1.0 / d;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1.0) < CF_EPSILON)
			break;
	}
	return h;
}

/*
 * ln Gamma(a + b) - ln Gamma(a).  For a large (a window of millions of
 * calls), the two lgamma() are ~1e10 and their difference lost six digits
 * (p off by 1e-5 relative at 1e9 calls); Stirling's series of the
 * difference keeps it to 1e-15.
 */
static double
lgamma_diff(double a, double b)
{
	if (a < 1e4)
		return lgamma(a + b) - lgamma(a);
	return (a - 0.5) * log1p(b / a) + b * log(a + b) - b
		+ (1.0 / (a + b) - 1.0 / a) / 12.0
		- (1.0 / ((a + b) * (a + b) * (a + b)) - 1.0 / (a * a * a)) / 360.0;
}

/*
 * The regularised incomplete beta function I_x(a, b), given x and y = 1 - x
 * each computed directly (x near 1, 1 - x would keep few digits).
 */
static double
incomplete_beta(double x, double y, double a, double b)
{
	double		front;

	if (x <= 0.0)
		return 0.0;
	if (y <= 0.0)
		return 1.0;
	front = exp(lgamma_diff(a, b) - lgamma(b) +
				a * (x > 0.5 ? log1p(-y) : log(x)) +
				b * (y > 0.5 ? log1p(-x) : log(y)));
	/* the fraction converges for x < (a + 1) / (a + b + 2); else swap */
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * beta_fraction(x, a, b) / a;
	return 1.0 - front * beta_fraction(y, b, a) / b;
}

/* P(T > t) for Student's t with df degrees of freedom */
double
ia_student_t_upper(double t, double df)
{
	double		tail = 0.5 * incomplete_beta(df / (df + t * t), t * t / (df + t * t),
											 df / 2.0, 0.5);

	return t > 0 ? tail : 1.0 - tail;
}

/*
 * Welch's test that the second window's mean exceeds k times the first's.
 * Returns false (and nothing) when a window has fewer than two calls or no
 * spread at all on both sides.
 */
bool
ia_welch(double m1, double s1, double n1, double m2, double s2, double n2,
		 double k, double *t, double *df, double *p)
{
	double		v1,
				v2;

	if (n1 < 2 || n2 < 2 || isnan(s1) || isnan(s2))
		return false;
	v1 = k * k * s1 * s1 / n1;
	v2 = s2 * s2 / n2;
	if (v1 + v2 <= 0.0)
		return false;
	*t = (m2 - k * m1) / sqrt(v1 + v2);
	*df = (v1 + v2) * (v1 + v2) /
		(v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
	*p = ia_student_t_upper(*t, *df);
	return true;
}

PG_FUNCTION_INFO_V1(idx_autopilot_welch);

/*
 * idx_autopilot_welch(mean1, stddev1, calls1, mean2, stddev2, calls2,
 *                     shift float8 DEFAULT 0)
 *   RETURNS TABLE(t float8, df float8, p_slower float8)
 *
 * p_slower: the one-sided p-value of "window 2's mean is more than
 * (1 + shift) times window 1's".  NULLs when a window has fewer than two
 * calls (or no argument may be NULL: STRICT).
 */
Datum
idx_autopilot_welch(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {true, true, true};
	double		t,
				df,
				p;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	if (ia_welch(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2),
				 PG_GETARG_FLOAT8(3), PG_GETARG_FLOAT8(4), PG_GETARG_FLOAT8(5),
				 1.0 + PG_GETARG_FLOAT8(6), &t, &df, &p))
	{
		values[0] = Float8GetDatum(t);
		values[1] = Float8GetDatum(df);
		values[2] = Float8GetDatum(p);
		nulls[0] = nulls[1] = nulls[2] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
