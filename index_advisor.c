/*-------------------------------------------------------------------------
 *
 * index_advisor.c
 *		Front door of the index_advisor extension: module magic and
 *		_PG_init, which defines the settings (settings.c; check_time.c
 *		through verify.c's ia_verify_init, which also installs the planner
 *		hooks of plan_hooks.c; usage.c) and, when preloaded, registers the
 *		launcher.
 *
 * No shared_preload_libraries is needed: the library is loaded by the first
 * call of one of its functions (and by every worker it starts).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "index_advisor.h"
#include "ia_autopilot.h"
#include "ia_plan.h"
#include "ia_build.h"
#include "ia_nodes.h"
#include "ia_check.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	ia_define_settings();
	ia_autopilot_define_settings();

	ia_verify_init();
	ia_hidden_init();		/* after plan_hooks.c's hook: chained */
	ia_usage_init();
	ia_nodes_init();

	if (process_shared_preload_libraries_in_progress)
		ia_register_launcher();

	MarkGUCPrefixReserved("index_advisor");
}
