/*-------------------------------------------------------------------------
 *
 * advise_values.c
 *		The values the advisor plans a query's $n with (for advise_plan.c,
 *		which prepares each query): values.c's representative values, as
 *		the query's planning role and shown to the caller only as pg_stats
 *		would show them, the constants an application was seen sending
 *		(pg_qualstats) bound into statements on columns of few values and
 *		as the patterns of LIKE and jsonb @>, a
 *		column's rare most common value ("col = $n") or its bulk ("col <>
 *		$n") kept for a twin of the statement (advise.c: add_twin,
 *		weighted 1 in n of its calls), and LIMIT $n
 *		taken as 10.  Split from advise_plan.c along this seam.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "nodes/params.h"
#include "nodes/parsenodes.h"

#include "ia_advise.h"
#include "ia_plan.h"
#include "advise_internal.h"

/*
 * The representative values of q's $n (values.c: used as q's planning
 * role, shown to the caller) and LIMIT $n = 10.  Sets q->rep (NULL: the
 * query is planned generically only) and q->rep_note, the note's phrase
 * ("planned generically and with $1 = 51", "planned generically only: no
 * value for $1 (...)"), NULL when there is nothing to say.
 *
 * A workload statement's "col = $n" on a column of few values whose
 * statistics hold a rare value (values.c) is tried with it as well: q->rare
 * gets the value, for a twin of q (advise.c) that is the statement with
 * the value bound into it, as a constant pg_qualstats saw sent would be,
 * so that a small partial index on it can show what it brings.  In the
 * same way "col <> $n" on such a column whose most common value holds at
 * least half of the rows is tried with that value (the bulk an
 * application skips: "status <> 'done'"), so that a partial index
 * without it can.  Both stand for 1 in n of the statement's calls, n the
 * values of the column's most-common list, each taken as as likely as the
 * others (no record of the constants sent says otherwise); a twin
 * (q->bind_rare) binds them here.
 */
/* A twin: bind its values (no $n of theirs is left); say so in used. */
static void
bind_twin_values(AdvQuery *q, StringInfo used)
{
	ListCell   *lc;

	foreach(lc, q->bind_rare)
	{
		AdvRareValue *r = lfirst(lc);

		q->prep->queries = ia_bind_sent_value(q->prep->queries, r->paramno,
											  r->value, r->type);
		q->text = ia_bind_sent_text(q->text, r->paramno, r->value, r->type);
		appendStringInfo(used, "%s$%d = %s (%s: %.2f %% of the rows; tried besides a %s one, for 1 in %.0f of the statement's calls)",
						 used->len ? ", " : "", r->paramno,
						 ia_value_text(r->value, r->type),
						 r->bulk ?
						 psprintf("the most common value of %s, which \"<>\" skips", r->column) :
						 psprintf("a rare value of %s", r->column),
						 100.0 * r->freq, r->bulk ? "less common" : "common",
						 1 / r->share);
	}
}

/* Keep $paramno's rare or bulk value for a twin of q (see ia_advise_representative_values). */
static void
keep_rare_value(AdvQuery *q, int paramno, IaParamValue *v, Oid type)
{
	AdvRareValue *r = palloc(sizeof(AdvRareValue));

	r->paramno = paramno;
	r->value = v->rare_value;
	r->type = type;
	r->bulk = v->rare_bulk;
	r->freq = v->rare_freq;
	r->share = 1.0 / Max(v->rare_among, 2);
	r->column = ia_value_column(v);
	q->rare = lappend(q->rare, r);
}

/* An unset "LIMIT $n" gets 10, as an application's page would. */
static void
default_limit(Query *top, ParamListInfo pl, StringInfo used)
{
	Param	   *p = (Param *) top->limitCount;
	ParamExternData *prm;

	if (!p || !IsA(p, Param) || p->paramkind != PARAM_EXTERN ||
		p->paramtype != INT8OID)
		return;
	prm = &pl->params[p->paramid - 1];
	if (prm->pflags & PARAM_FLAG_CONST)
		return;
	prm->value = Int64GetDatum(10);
	prm->isnull = false;
	prm->pflags = PARAM_FLAG_CONST;
	appendStringInfo(used, "%s$%d = 10 (LIMIT)", used->len ? ", " : "",
					 p->paramid);
}

void
ia_advise_representative_values(AdvState *st, AdvQuery *q, bool workload)
{
	int			nparams = q->prep->nparams;
	IaParamValue *vals;
	ParamListInfo pl;
	StringInfoData used;
	StringInfoData refused;
	int			bound;

	if (nparams == 0)
		return;
	initStringInfo(&used);
	initStringInfo(&refused);
	bind_twin_values(q, &used);
	bound = used.len;
	vals = ia_param_values_sent(q->prep->queries, q->prep->paramtypes,
								nparams, q->prep->planner, st->caller,
								q->sent);
	pl = makeParamList(nparams);
	for (int i = 0; i < nparams; i++)
	{
		ParamExternData *prm = &pl->params[i];

		prm->ptype = q->prep->paramtypes[i];
		prm->isnull = true;
		prm->pflags = 0;
		if (vals[i].hidden)
			appendStringInfo(&refused, "%s%s", refused.len ? ", " : "",
							 ia_value_refusal(&vals[i], i + 1, q->prep->planner));
		if (!vals[i].found)
			continue;
		prm->value = vals[i].value;
		prm->isnull = false;
		prm->pflags = PARAM_FLAG_CONST;
		if (workload && q->bind_rare == NIL && vals[i].rare &&
			!vals[i].sent && vals[i].shown &&
			ia_advise_few_values(vals[i].relid, vals[i].attnum))
			keep_rare_value(q, i + 1, &vals[i], prm->ptype);
		if (vals[i].sent)
		{
			/*
			 * the application's constant, on a column of few values (a
			 * status): the statement as it ran, so that it may get its
			 * partial index; a LIKE pattern ("name LIKE $1" sent 'abc%'):
			 * the pattern as it ran, so that advise_like.c reads its
			 * prefix (a btree serves it) or its leading wildcard; a jsonb
			 * document ("payload @> $1"): the containment as it ran,
			 * which a partial index may fix; on others it only stands
			 * for $n, as a statistic would
			 */
			if (vals[i].pattern ||
				ia_advise_few_values(vals[i].relid, vals[i].attnum))
			{
				q->prep->queries = ia_bind_sent_value(q->prep->queries, i + 1,
													  prm->value, prm->ptype);
				q->text = ia_bind_sent_text(q->text, i + 1, prm->value,
											prm->ptype);
			}
			appendStringInfo(&used, "%s$%d = %s (sent: pg_qualstats)",
							 used.len ? ", " : "", i + 1,
							 ia_value_text(prm->value, prm->ptype));
		}
		else if (vals[i].shown)
			appendStringInfo(&used, "%s$%d = %s", used.len ? ", " : "", i + 1,
							 ia_value_text(prm->value, prm->ptype));
		else
			appendStringInfo(&used, "%s%s", used.len ? ", " : "",
							 ia_value_refusal(&vals[i], i + 1, st->caller));
	}
	default_limit(linitial_node(Query, q->prep->queries), pl, &used);
	if (bound > 0 && used.len == bound)
		q->rep_note = psprintf("planned with %s%s%s", used.data,
							   refused.len ? "; " : "", refused.data);
	else if (used.len)
	{
		q->rep = pl;
		q->rep_note = psprintf("planned generically and with %s%s%s", used.data,
							   refused.len ? "; " : "", refused.data);
	}
	else if (refused.len)
		q->rep_note = psprintf("planned generically only: %s", refused.data);
}
