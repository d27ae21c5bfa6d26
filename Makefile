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
OBJS = index_advisor.o src/settings.o src/definition.o src/queue.o src/worker.o src/api.o \
       src/verify.o src/usage.o src/launcher.o \
       src/partition.o src/job.o src/uninstall.o src/locks.o
# idx_history statuses, one definition (include/ia_status.h)
OBJS += src/status.o
# idx_apply_script (issue 11, the ORM bridge)
OBJS += src/script.o
OBJS += src/gentle.o
# hypothetical indexes, idx_whatif (issue 9, branch hypo)
OBJS += src/hypo.o src/hypoplan.o src/plan_prepared.o src/whatif.o
# the advisor: idx_advise, idx_advise_workload (issue 9, branch advise)
OBJS += src/advise.o src/advise_plan.o src/advise_candidates.o
# other nodes (issue 10, branch nodes)
OBJS += src/nodes.o src/measure.o

# Node collection (src/nodes.c) speaks libpq, linked as contrib/postgres_fdw
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

PG_CPPFLAGS = -I$(srcdir)/include
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

# PGXS tracks no header dependencies: a changed struct in include/ would
# leave objects compiled against the old layout (seen: every job read the
# wrong fields).  Rebuild every object when any project header changes.
$(OBJS): $(wildcard include/*.h)
