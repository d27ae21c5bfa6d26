/*-------------------------------------------------------------------------
 *
 * ia_values.h
 *		Representative values for the $n of a stored or advised query
 *		(values.c): the one rule that idx_advise / idx_advise_workload
 *		(advise_plan.c) and idx_explain(id, "analyze" => true) (measure.c)
 *		both use, with pg_stats' visibility rule inside it
 *		(ia_stats_visible, which hypoplan.c's size model asks too).
 *
 *-------------------------------------------------------------------------
 */
#ifndef IA_VALUES_H
#define IA_VALUES_H

#include "nodes/params.h"
#include "nodes/pg_list.h"

/* What ia_param_values found for one $n. */
typedef struct IaParamValue
{
	bool		found;			/* value is a representative value */
	bool		shown;			/* ... that the viewer may see */
	bool		hidden;			/* not found because a column it is compared
								 * with has statistics the planner may not
								 * read (relid/attnum name the first one) */
	Datum		value;
	Oid			relid;			/* the column it was taken from, or (hidden)
								 * the column the planner may not read */
	AttrNumber	attnum;
	const char *kind;			/* "most common value", "10th percentile",
								 * "90th percentile", "middle of the
								 * histogram", "sent" */
	bool		sent;			/* a constant the application sends
								 * (IaSentValue), not a statistic */
	bool		rare;			/* "col = $n": rare_value is the column's
								 * rarest most-common value, a rare one */
	Datum		rare_value;
	double		rare_freq;		/* its share of the rows */
	int			rare_among;		/* the values of the column's most-common
								 * list, rare_value one of them */
} IaParamValue;

/*
 * A constant the application was seen sending to compare with a column by
 * an operator (pg_qualstats' constvalue, as it prints it: 'blocked'::text, 5::integer).
 */
typedef struct IaSentValue
{
	Oid			relid;
	AttrNumber	attnum;
	Oid			opno;			/* "col opno value" */
	char	   *text;
} IaSentValue;

extern Node *ia_strip_case(Node *node);
extern int	ia_btree_strategy(Oid opno, Node *operand);
extern bool ia_stats_visible(Oid relid, AttrNumber attnum, Oid role);
extern IaParamValue *ia_param_values(List *queries, Oid *types, int nparams,
									 Oid planner, Oid viewer);
extern IaParamValue *ia_param_values_sent(List *queries, Oid *types,
										  int nparams, Oid planner,
										  Oid viewer, List *sent);
extern char *ia_value_text(Datum value, Oid type);
extern char *ia_value_column(const IaParamValue *v);
extern char *ia_value_refusal(const IaParamValue *v, int paramno, Oid role);

#endif							/* IA_VALUES_H */
