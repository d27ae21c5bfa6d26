# index_advisor -- PGXS build.
#
#   make && make install           build and install into the server found by pg_config
#   make installcheck              pg_regress (own temp instance) + TAP tests
#
# Versions: index_advisor--0.1.sql is the released 0.1 install script, frozen
# (never edited).  0.2 is installed as 0.1 plus the upgrade script
# index_advisor--0.1--0.2.sql, which is assembled from the parts in
# src/update/0.1--0.2/ while 0.2 is unreleased.

MODULE_big = index_advisor
# One folder a subsystem (doc/architecture.md; the map opens
# include/index_advisor.h).  Each folder's headers sit beside its files.
IA_SUBSYSTEMS = build queue definition plan check advise nodes script autopilot
OBJS = index_advisor.o src/settings.o src/nap.o src/errpos.o
# build: idx_apply and the workers that run CREATE INDEX CONCURRENTLY
OBJS += src/build/api.o src/build/launcher.o src/build/worker.o \
        src/build/worker_job.o src/build/job.o \
        src/build/partition.o src/build/gentle.o src/build/uninstall.o
# queue: the history table as a queue, its locks and statuses
OBJS += src/queue/history.o src/queue/queue.o src/queue/claim.o src/queue/locks.o \
	src/queue/status.o
# definition: parse, validate, resolve, name, find duplicates
OBJS += src/definition/resolve.o src/definition/columns.o src/definition/naming.o \
	src/definition/duplicates.o src/definition/queries.o src/definition/statements.o
# plan: the planner hooks (only index_advisor's own planner call sees
# hypothetical and hidden indexes)
OBJS += src/plan/plan_hooks.o
# plan: the one planner path, hypothetical indexes
OBJS += src/plan/verify.o src/plan/planning_role.o src/plan/plan_walk.o \
        src/plan/check_time.o src/plan/plan_prepared.o src/plan/hypo.o \
        src/plan/hypoplan.o src/plan/hyposize.o src/plan/values.o
# plan: hidden indexes (the planner filter of every session; idx_hide)
OBJS += src/plan/hidden.o src/plan/hide.o
# check: idx_check / idx_report / idx_explain, the check of stored queries,
# the verdicts it keeps, and their measuring
OBJS += src/check/usage.o src/check/verify_queries.o src/check/verdicts.o \
        src/check/measure.o
# advise: idx_advise, idx_advise_workload, idx_whatif
OBJS += src/advise/advise.o src/advise/advise_plan.o src/advise/advise_select.o \
        src/advise/advise_candidates.o src/advise/advise_extract.o \
        src/advise/whatif.o
OBJS += src/advise/advise_drops.o src/advise/advise_like.o src/advise/advise_reach.o \
        src/advise/advise_pay.o
OBJS += src/advise/advise_size.o src/advise/advise_pullup.o src/advise/advise_values.o \
        src/advise/advise_hypos.o src/advise/advise_final.o \
        src/advise/advise_exchange.o src/advise/advise_merge.o \
        src/advise/advise_sublink.o
# the workload path: statements as pg_stat_statements stores them
OBJS += src/advise/normalised.o
# nodes: standbys and other nodes
OBJS += src/nodes/nodes.o src/nodes/node_conn.o
# script: idx_apply_script, the ORM bridge
OBJS += src/script/script.o src/script/escape.o
# autopilot: its settings (the cycle is SQL, src/update/0.1--0.2/86-91)
OBJS += src/autopilot/autopilot.o src/autopilot/welch.o src/autopilot/reads.o

# Node collection (src/nodes/node_conn.c) speaks libpq, linked as contrib/postgres_fdw
# is; libpq-fe.h comes from libpq-dev (pulled in by postgresql-server-dev-15).
PG_CPPFLAGS_LIBPQ = -I$(shell $(PG_CONFIG) --includedir) -idirafter /usr/include/postgresql
SHLIB_LINK_INTERNAL = $(libpq)

EXTENSION = index_advisor
EXTVERSION = 0.2
DATA = index_advisor--0.1.sql
DATA_built = index_advisor--0.1--0.2.sql

UPDATE_0_2_PARTS = $(sort $(wildcard src/update/0.1--0.2/*.sql))

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --temp-instance=tmp_check --temp-config=test/regress.conf \
               --load-extension=index_advisor

TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

PG_CPPFLAGS = -I$(srcdir)/include $(foreach d,$(IA_SUBSYSTEMS),-I$(srcdir)/src/$(d))
PG_CPPFLAGS += $(PG_CPPFLAGS_LIBPQ)
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter

EXTRA_CLEAN = tmp_check tmp_check_iso results regression.diffs regression.out log

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The directory too: a part added or removed changes its time.
index_advisor--0.1--0.2.sql: $(UPDATE_0_2_PARTS) src/update/0.1--0.2
	cat $(UPDATE_0_2_PARTS) > $@

# The two halves of installcheck, so that scripts/test.sh can report each.
.PHONY: installcheck-regress installcheck-tap
installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
installcheck-tap:
	$(prove_installcheck)

# PGXS tracks no header dependencies: a changed struct in a header would
# leave objects compiled against the old layout (seen: every job read the
# wrong fields).  Rebuild every object when any project header changes.
$(OBJS): $(wildcard include/*.h src/*/*.h)
