# The ORM bridge with the real frameworks (Debian's Django 3.2, Alembic 1.8,
# psycopg2, run with /usr/bin/python3) against a real server:
#
# Django (python/tests/django_project, two apps): `migrate` builds a
# composite, a covering and a partial index through ApplyIndex while a
# writer runs (no write waits on a lock longer than the bound), rows are
# labelled with the migration; `makemigrations --check` is quiet;
# `sqlmigrate` prints idx_apply calls, which idx_apply_script queues as the
# same indexes in another database; a migration that fails queues nothing;
# `migrate shop 0001` rolls back through index_advisor; a build that fails
# makes `migrate` (WaitForIndexes) and `manage.py idx_wait` exit 1 with the
# SQLSTATE.  A router that keeps an app off the database makes
# ApplyIndexDefinition queue nothing; two migrations of one app in one
# `migrate` label their rows each with its own name.
#
# The extension in a schema off the search_path of the role that migrates
# (database sch): Django's migrate, idx_wait and idx_advise, and Alembic's
# upgrade with make_include_object, call it by its schema; in a database
# without it (noext) both say so.
#
# The CI gate: `manage.py idx_advise --check` and `python -m
# index_advisor.alembic check` exit 1 with IA001 naming the index a query
# lacks, 0 for a migration's queries that its indexes serve.
#
# Alembic (python/tests/alembic_project): `upgrade head`, autogenerate
# proposes dropping the indexes without make_include_object and nothing
# with it, `downgrade -1` rolls back, `upgrade --sql` fed to
# idx_apply_script builds the same indexes again.  A revision whose
# downgrade is its operations reversed by Alembic (UpgradeOps.reverse())
# rolls back what its upgrade built, batch_op.apply_index included;
# python/tests/test_alembic_ops.py checks reverse() and the batch forms;
# `check --revision` reads that revision's queries (op.invoke, batch_op).
#
# pg_dump --section=post-data of a table's indexes, fed to idx_apply_script
# in another database, builds the same indexes.
#
# idx_export round trips: the 'django' export of a migration is a migration
# of a fresh project, the 'alembic' export a revision of a fresh
# environment; each builds the same indexes (pg_get_indexdef) and rolls
# them back.
#
# A hostile label stored before idx_apply checked labels (written here by
# hand): loading the Django migration and the Alembic revision exported
# from it runs none of its code, and the label reads back as it was.
#
# squashmigrations never folds the Django operations
# (python/tests/test_reduce.py, with Django's own optimizer).
use strict;
use warnings;
use Cwd qw(abs_path);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
my $pydir = abs_path('python');
my $tmp = PostgreSQL::Test::Utils::tempdir;

my $node = PostgreSQL::Test::Cluster->new('orm');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 16
log_lock_waits = on
deadlock_timeout = '100ms'
log_line_prefix = '%m [%p] %a '
});
$node->start;
for my $db (qw(dj dj2 al exp_dj exp_al hostile docs))
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, 'SET client_min_messages = warning; CREATE EXTENSION index_advisor');
}

# Run python in directory $dir against database $db; returns (rc, out, err).
sub py
{
	my ($dir, $db, @args) = @_;
	my %env = (PYTHONPATH => $pydir, PGHOST => $node->host, PGPORT => $node->port,
		PGUSER => scalar(getpwuid($<)), IA_DB => $db);
	my ($out, $err) = ('', '');
	local @ENV{ keys %env } = values %env;
	IPC::Run::run([ $python, @args ], '>', \$out, '2>', \$err,
		init => sub { chdir $dir or die "chdir $dir: $!" });
	return ($? >> 8, $out, $err);
}

sub script_of
{
	my ($text) = @_;
	die "script holds the quote tag" if $text =~ /\$script\$/;
	return "\$script\$$text\$script\$";
}

my $indexdefs = q{SELECT string_agg(migration || ' ' || indexdef, E'\n' ORDER BY index_name)
	FROM idx_history WHERE operation = 'create' AND status = 'done'};

# ---------------------------------------------------------------------
# Django
# ---------------------------------------------------------------------
my $dj = "$tmp/django";
system('cp', '-R', "$pydir/tests/django_project", $dj) == 0 or die "cp failed";
my ($rc, $out, $err);

($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate', 'shop', '0001_initial');
is($rc, 0, 'django: migrate shop 0001') or diag($err);
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate', 'crm', '0001_initial');
is($rc, 0, 'django: migrate crm 0001') or diag($err);
$node->safe_psql('dj', q{
	INSERT INTO shop_task (assigned_department_id, status, task_type, customer_id, decided_date, outcome, note)
	SELECT g % 50, 's' || g % 7, 't' || g % 3, g % 5000, date '2026-01-01' + g % 300, 'o' || g % 4, ''
	  FROM generate_series(1, 300000) g;
	INSERT INTO crm_route (customer_id, routing_priority, enabled)
	SELECT g % 5000, g % 10, g % 3 = 0 FROM generate_series(1, 100000) g;
	VACUUM ANALYZE shop_task, crm_route;
});

# a writer inserts throughout the migration (python/tests/writer.py, until
# the migration has ended)
my $stop = "$tmp/writer.stop";
my ($wout, $werr) = ('', '');
my $writer;
{
	local @ENV{qw(PGHOST PGPORT PGUSER IA_DB)} = ($node->host, $node->port, scalar(getpwuid($<)), 'dj');
	$writer = IPC::Run::start([ $python, "$pydir/tests/writer.py", $stop ], '>', \$wout, '2>', \$werr);
}
my $log_offset = -s $node->logfile;
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate');
is($rc, 0, 'django: migrate builds the indexes') or diag("$out\n$err");
like($out, qr/shop_task_cust_decided_idx: create done/, 'django: migrate shows the wait\'s progress');
open(my $fh, '>', $stop) or die;
close $fh;
$writer->finish;
my ($inserts, $longest) = $wout =~ /inserts=(\d+) longest_ms=([\d.]+)/;
ok(defined $inserts && $inserts > 10, 'django: the writer inserted throughout the migration')
  or diag("$wout\n$werr");
ok(defined $longest && $longest < 1000, "django: no insert took 1 s or more during migrate (longest: "
	  . ($longest // '?') . ' ms)');
unlike(substr(slurp_file($node->logfile), $log_offset), qr/orm_writer .*still waiting for/,
	'django: no write waited on a lock longer than deadlock_timeout (100 ms)');

is($node->safe_psql('dj', $indexdefs),
	join("\n",
		'crm.0002_partial CREATE INDEX crm_route_enabled_idx ON public.crm_route USING btree (customer_id, routing_priority DESC) WHERE enabled',
		'shop.0002_indexes CREATE INDEX shop_task_cust_decided_idx ON public.shop_task USING btree (customer_id, decided_date DESC) INCLUDE (outcome)',
		'shop.0002_indexes CREATE INDEX shop_task_dept_status_idx ON public.shop_task USING btree (assigned_department_id, status, task_type)'),
	'django: composite, covering and partial index built, labelled with their migrations');
is($node->safe_psql('dj', q{SELECT queries[1] FROM idx_history WHERE index_name = 'shop_task_dept_status_idx'}),
	q{SELECT * FROM shop_task WHERE assigned_department_id = 3 AND status = 'open'},
	'django: the queries of ApplyIndex are stored');

($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'makemigrations', '--check', '--dry-run');
is($rc, 0, 'django: makemigrations --check is quiet') or diag("$out\n$err");
like($out, qr/No changes detected/, 'django: makemigrations detects no changes');

# sqlmigrate prints the idx_apply calls; idx_apply_script queues them as
# they are, in another database
my ($rc1, $sql_shop) = py($dj, 'dj', 'manage.py', 'sqlmigrate', 'shop', '0002');
my ($rc2, $sql_crm) = py($dj, 'dj', 'manage.py', 'sqlmigrate', 'crm', '0002');
like($sql_shop, qr/SELECT idx_apply\('CREATE INDEX "shop_task_dept_status_idx"/,
	'django: sqlmigrate shows idx_apply');
py($dj, 'dj2', 'manage.py', 'migrate', 'shop', '0001_initial');
py($dj, 'dj2', 'manage.py', 'migrate', 'crm', '0001_initial');
is($node->safe_psql('dj2', 'SELECT count(*) FROM idx_apply_script(' . script_of($sql_shop . $sql_crm) . ')'),
	3, 'django: sqlmigrate output fed to idx_apply_script queues 3 indexes');
$node->safe_psql('dj2', 'CALL idx_wait()');
is($node->safe_psql('dj2', $indexdefs), $node->safe_psql('dj', $indexdefs),
	'django: ... the same indexes, with the same labels');

# a migration that fails queues nothing
open($fh, '>', "$dj/crm/migrations/0003_broken.py") or die;
print $fh <<'EOF';
from django.db import migrations, models

from index_advisor.django import ApplyIndex


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_partial")]
    operations = [
        ApplyIndex("route", models.Index(fields=["routing_priority"], name="crm_route_prio_idx")),
        migrations.RunSQL("SELECT 1/0"),
    ]
EOF
close $fh;
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate', 'crm');
isnt($rc, 0, 'django: a failing migration fails');
like($err, qr/division by zero/, 'django: ... with its error');
is($node->safe_psql('dj', q{SELECT count(*) FROM idx_history WHERE migration = 'crm.0003_broken'}),
	0, 'django: ... and queues nothing');
is($node->safe_psql('dj', q{SELECT to_regclass('crm_route_prio_idx') IS NULL}), 't',
	'django: ... and builds nothing');
unlink("$dj/crm/migrations/0003_broken.py");

# the database routers: ApplyIndexDefinition, which names no model, asks
# them as RunSQL does; with a router that keeps "crm" off the database,
# neither direction queues anything
open($fh, '>', "$dj/crm/migrations/0003_routed.py") or die;
print $fh <<'EOF';
from django.db import migrations

from index_advisor.django import ApplyIndexDefinition, WaitForIndexes


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_partial")]
    operations = [
        ApplyIndexDefinition("CREATE INDEX crm_route_routed_idx ON crm_route (routing_priority)",
                             "crm_route_routed_idx"),
        WaitForIndexes(),
    ]
EOF
close $fh;
{
	local $ENV{IA_ROUTER} = 'no_crm';
	($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate', 'crm');
	is($rc, 0, 'django router: migrate with a router that keeps crm off the database') or diag("$out\n$err");
	is($node->safe_psql('dj', q{SELECT count(*) FROM idx_history WHERE migration = 'crm.0003_routed'}),
		0, 'django router: ApplyIndexDefinition queued nothing');
	($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate', 'crm', '0002_partial');
	is($rc, 0, 'django router: migrate backwards') or diag("$out\n$err");
	is($node->safe_psql('dj', q{SELECT count(*) FROM idx_history WHERE migration = 'crm.0003_routed'}),
		0, 'django router: ... queued no drop either');
}
is($node->safe_psql('dj', q{SELECT to_regclass('crm_route_routed_idx') IS NULL}), 't',
	'django router: ... and nothing was built');
unlink("$dj/crm/migrations/0003_routed.py");

# two migrations of one app in one migrate run: the rows of each carry its
# own label, forwards and backwards (the wait of the second also waits for
# what the first queued)
open($fh, '>', "$dj/crm/migrations/0003_prio.py") or die;
print $fh <<'EOF';
from django.db import migrations, models

from index_advisor.django import ApplyIndex


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_partial")]
    operations = [
        ApplyIndex("route", models.Index(fields=["routing_priority"], name="crm_route_prio_idx")),
    ]
EOF
close $fh;
open($fh, '>', "$dj/crm/migrations/0004_flag.py") or die;
print $fh <<'EOF';
from django.db import migrations

from index_advisor.django import ApplyIndexDefinition, WaitForIndexes


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_prio")]
    operations = [
        ApplyIndexDefinition("CREATE INDEX crm_route_flag_idx ON crm_route (enabled)", "crm_route_flag_idx"),
        WaitForIndexes(),
    ]
EOF
close $fh;
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate', 'crm');
is($rc, 0, 'django labels: migrate runs two migrations of crm') or diag("$out\n$err");
my $crm_rows = q{SELECT string_agg(operation || ' ' || migration || ' ' || index_name || ' ' || status, ', ' ORDER BY id)
	FROM idx_history WHERE index_name IN ('crm_route_prio_idx', 'crm_route_flag_idx')};
is($node->safe_psql('dj', $crm_rows),
	'create crm.0003_prio crm_route_prio_idx done, create crm.0004_flag crm_route_flag_idx done',
	'django labels: each migration labels its own rows');
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate', 'crm', '0002_partial');
is($rc, 0, 'django labels: migrate backwards over both') or diag("$out\n$err");
$node->safe_psql('dj', 'CALL idx_wait()');
is($node->safe_psql('dj', $crm_rows),
	'create crm.0003_prio crm_route_prio_idx rolled_back, create crm.0004_flag crm_route_flag_idx rolled_back, '
	  . 'drop crm.0004_flag crm_route_flag_idx done, drop crm.0003_prio crm_route_prio_idx done',
	'django labels: ... and each labels its own drops');
unlink("$dj/crm/migrations/0003_prio.py", "$dj/crm/migrations/0004_flag.py");

# the extension in a schema of its own, off the search_path of the role
# that migrates: every call names it (ia.idx_apply, ia.idx_wait, ...)
$node->safe_psql('postgres', 'CREATE DATABASE sch');
$node->safe_psql('sch', 'SET client_min_messages = warning; CREATE SCHEMA ia; CREATE EXTENSION index_advisor SCHEMA ia');
($rc, $out, $err) = py($dj, 'sch', 'manage.py', 'migrate', 'shop');
is($rc, 0, 'django schema: migrate with the extension off the search_path') or diag("$out\n$err");
like($out, qr/shop_task_cust_decided_idx: create done/, 'django schema: ... waits for the builds');
is($node->safe_psql('sch', q{SELECT string_agg(migration || ' ' || index_name || ' ' || status, ', ' ORDER BY id) FROM ia.idx_history}),
	'shop.0002_indexes shop_task_dept_status_idx done, shop.0002_indexes shop_task_cust_decided_idx done',
	'django schema: ... the indexes are built, labelled');
($rc, $out, $err) = py($dj, 'sch', 'manage.py', 'idx_wait', '--migration', 'shop.0002_indexes');
is($rc, 0, 'django schema: manage.py idx_wait --migration') or diag("$out\n$err");
($rc, $out, $err) = py($dj, 'sch', 'manage.py', 'idx_advise', '--check', '--min-gain', '0.99999',
	"SELECT id FROM shop_task WHERE decided_date = '2026-03-01'");
is($rc, 0, 'django schema: manage.py idx_advise --check') or diag("$out\n$err");
# and a database without the extension: migrate says so
$node->safe_psql('postgres', 'CREATE DATABASE noext');
($rc, $out, $err) = py($dj, 'noext', 'manage.py', 'migrate', 'shop');
is($rc, 1, 'django no extension: migrate exits 1') or diag("$out\n$err");
like($err, qr/CommandError: index_advisor: extension "index_advisor" does not exist in this database/,
	'django no extension: ... saying the extension is missing');

# backwards: the indexes are rolled back through index_advisor
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate', 'shop', '0001_initial');
is($rc, 0, 'django: migrate shop 0001 (backwards)') or diag("$out\n$err");
is($node->safe_psql('dj', q{SELECT string_agg(operation || ' ' || index_name || ' ' || status, ', ' ORDER BY id)
	FROM idx_history WHERE migration = 'shop.0002_indexes'}),
	'create shop_task_dept_status_idx rolled_back, create shop_task_cust_decided_idx rolled_back, '
	  . 'drop shop_task_cust_decided_idx done, drop shop_task_dept_status_idx done',
	'django: backwards queued idx_rollback drops, waited for');
is($node->safe_psql('dj', q{SELECT count(*) FROM pg_indexes WHERE tablename = 'shop_task'}), 1,
	'django: ... the indexes are gone (the primary key stays)');

# a build that fails: WaitForIndexes makes migrate exit 1 with the SQLSTATE
$node->safe_psql('dj', q{
	INSERT INTO shop_task (assigned_department_id, status, task_type, customer_id, note)
	SELECT 1, 'big', 'x', 1, string_agg(md5(g::text), '') FROM generate_series(1, 400) g;
});
open($fh, '>', "$dj/shop/migrations/0003_note_idx.py") or die;
print $fh <<'EOF';
from django.db import migrations, models

from index_advisor.django import ApplyIndex, WaitForIndexes


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_indexes")]
    operations = [
        ApplyIndex("task", models.Index(fields=["note"], name="shop_task_note_idx")),
        WaitForIndexes(),
    ]
EOF
close $fh;
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'migrate', 'shop');
is($rc, 1, 'django: migrate exits 1 when a build fails') or diag("$out\n$err");
like($err, qr/CommandError: index_advisor: .*shop_task_note_idx: failed .*\(SQLSTATE 54000\)/,
	'django: ... naming the index and the SQLSTATE');
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'idx_wait', '--migration', 'shop.0003_note_idx');
is($rc, 1, 'django: manage.py idx_wait exits 1 for the failed build') or diag("$out\n$err");
like($err, qr/SQLSTATE 54000/, 'django: ... with its SQLSTATE');
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'idx_wait', '--migration', 'shop.0002_indexes');
is($rc, 0, 'django: manage.py idx_wait exits 0 for builds that are done') or diag("$out\n$err");
like($out, qr/all done/, 'django: ... and says so');

# the CI gate (idx_advise_check): manage.py idx_advise --check exits 1 with
# IA001 naming the index a new query lacks, 0 for the queries of a
# migration whose indexes are built
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'idx_advise', '--check',
	"SELECT id FROM shop_task WHERE decided_date = '2026-03-01'");
is($rc, 1, 'django: idx_advise --check exits 1 when a query lacks its index') or diag("$out\n$err");
like($err, qr/IA001: missing index: shop_task_decided_date\S* would cut the cost of 1 of 1 queries by more than 50%/,
	'django: ... with the SQLSTATE, naming the advised index');
like($err, qr/DETAIL:  Query 1 .* with CREATE INDEX shop_task_decided_date\S* ON public\.shop_task \(decided_date/,
	'django: ... and its definition');
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'idx_advise', '--check', '--migration', 'shop.0002_indexes');
is($rc, 0, 'django: idx_advise --check --migration passes when its indexes serve its queries') or diag("$out\n$err");
like($out, qr/check passed \(1 queries\)/, "django: ... checking the migration's query");
($rc, $out, $err) = py($dj, 'dj', 'manage.py', 'idx_advise', '--check', '--min-gain', '0.99999',
	"SELECT id FROM shop_task WHERE decided_date = '2026-03-01'");
is($rc, 0, 'django: idx_advise --check passes under a higher --min-gain') or diag("$out\n$err");

# idx_export round trip through Django: the export of shop.0002_indexes is
# a migration of a fresh project, migrate builds the same indexes, and
# migrate backwards rolls them back
my $dje = "$tmp/django_export";
system('cp', '-R', "$pydir/tests/django_project", $dje) == 0 or die "cp failed";
unlink("$dje/shop/migrations/0002_indexes.py");
my $export = $node->safe_psql('dj', q{SELECT idx_export('shop.0002_indexes', 'django')});
like($export, qr/ApplyIndexDefinition\(/, 'idx_export django: a migration of ApplyIndexDefinition');
$export =~ s/dependencies = \[\]/dependencies = [("shop", "0001_initial")]/ or die "no dependencies line";
open($fh, '>', "$dje/shop/migrations/0002_exported.py") or die;
print $fh $export;
close $fh;
($rc, $out, $err) = py($dje, 'exp_dj', 'manage.py', 'migrate', 'shop');
is($rc, 0, 'idx_export django: migrate runs the exported migration') or diag("$out\n$err");
my $shopdefs = q{SELECT string_agg(pg_get_indexdef(indexrelid), E'\n' ORDER BY indexrelid::regclass::text)
	FROM pg_index WHERE indrelid = 'shop_task'::regclass AND NOT indisprimary};
is($node->safe_psql('exp_dj', $shopdefs), $node->safe_psql('dj', $shopdefs),
	'idx_export django: the same indexes as the original');
is($node->safe_psql('exp_dj', q{SELECT string_agg(DISTINCT migration, ',') FROM idx_history}),
	'shop.0002_exported', 'idx_export django: labelled with the new migration');
($rc, $out, $err) = py($dje, 'exp_dj', 'manage.py', 'migrate', 'shop', '0001_initial');
is($rc, 0, 'idx_export django: migrate backwards') or diag("$out\n$err");
is($node->safe_psql('exp_dj', $shopdefs), '', 'idx_export django: ... rolls them back');

# ---------------------------------------------------------------------
# Alembic
# ---------------------------------------------------------------------
my $al = "$tmp/alembic";
system('cp', '-R', "$pydir/tests/alembic_project", $al) == 0 or die "cp failed";
($rc, $out, $err) = py($al, 'al', '-m', 'alembic', 'upgrade', 'head');
is($rc, 0, 'alembic: upgrade head') or diag("$out\n$err");
like($out, qr/orders_enabled_idx: create done/, 'alembic: op.wait_for_indexes shows progress');
my $al_defs = $node->safe_psql('al', $indexdefs);
is($al_defs,
	join("\n",
		'b2000 CREATE INDEX orders_cust_decided_idx ON public.orders USING btree (customer_id, decided_date DESC) INCLUDE (outcome)',
		'b2000 CREATE INDEX orders_enabled_idx ON public.orders USING btree (customer_id, routing_priority DESC) WHERE enabled'),
	'alembic: covering and partial index built, labelled with the revision');

# autogenerate: without the helper it proposes to drop them, with it nothing
sub autogenerate
{
	my ($helper) = @_;
	local $ENV{IA_HELPER} = $helper;
	my ($rc, $out, $err) = py($al, 'al', '-m', 'alembic', 'revision', '--autogenerate', '-m', "check$helper");
	my ($file) = glob("$al/versions/*_check$helper.py");
	my $text = defined $file ? slurp_file($file) : "(no revision: $rc $err)";
	unlink $file if defined $file;
	return $text;
}
like(autogenerate('0'), qr/op\.drop_index\('orders_cust_decided_idx'/,
	'alembic: autogenerate without the helper proposes to drop an index_advisor index');
my $gen = autogenerate('1');
unlike($gen, qr/drop_index|drop_table/, 'alembic: autogenerate with make_include_object proposes no drop');
like($gen, qr/def upgrade\(\)[^\n]*\n\s*#[^\n]*\n\s+pass\n/, 'alembic: ... and nothing at all');

($rc, $out, $err) = py($al, 'al', '-m', 'alembic', 'downgrade', '-1');
is($rc, 0, 'alembic: downgrade -1') or diag("$out\n$err");
is($node->safe_psql('al', q{SELECT string_agg(operation || ' ' || status, ', ' ORDER BY id) FROM idx_history}),
	'create rolled_back, create rolled_back, drop done, drop done',
	'alembic: downgrade rolled the indexes back');

my $offline;
($rc, $offline, $err) = py($al, 'al', '-m', 'alembic', 'upgrade', 'a1000:head', '--sql');
is($rc, 0, 'alembic: upgrade --sql') or diag($err);
like($offline, qr/SELECT idx_apply\('CREATE INDEX orders_cust_decided_idx/, 'alembic: --sql prints idx_apply');
is($node->safe_psql('al', 'SELECT count(*) FROM idx_apply_script(' . script_of($offline) . ')'),
	2, 'alembic: the --sql output fed to idx_apply_script queues 2 indexes');
$node->safe_psql('al', 'CALL idx_wait()');
is($node->safe_psql('al', $indexdefs), $al_defs, 'alembic: ... the same indexes as upgrade built');

# the CI gate from the command line: python -m index_advisor.alembic check
# takes the queries of the revision's upgrade() (recorded, not run) and
# exits 1 with IA001 for a query that lacks its index
$node->safe_psql('al', q{
	INSERT INTO orders (id, customer_id, decided_date, outcome, routing_priority, enabled)
	SELECT g, g % 3000, date '2026-01-01' + g % 300, 'o' || g % 4, g % 10, g % 3 = 0
	  FROM generate_series(1, 100000) g;
	VACUUM ANALYZE orders;
});
my $history = $node->safe_psql('al', 'SELECT count(*) FROM idx_history');
($rc, $out, $err) = py($al, 'al', '-m', 'index_advisor.alembic', 'check', '-c', 'alembic.ini',
	'--revision', 'b2000', '--dsn', 'dbname=al');
is($rc, 0, "alembic: check passes for the revision's queries, served by its indexes") or diag("$out\n$err");
like($out, qr/check passed \(1 queries\)/, "alembic: ... reading the query of its op.apply_index");
is($node->safe_psql('al', 'SELECT count(*) FROM idx_history'), $history,
	'alembic: ... recording the revision queued nothing');
($rc, $out, $err) = py($al, 'al', '-m', 'index_advisor.alembic', 'check', '--dsn', 'dbname=al',
	"SELECT id FROM orders WHERE decided_date = '2026-03-01'");
is($rc, 1, 'alembic: check exits 1 when a query lacks its index') or diag("$out\n$err");
like($err, qr/IA001: missing index: orders_decided_date\S* would cut/, 'alembic: ... naming the index, with the SQLSTATE');
($rc, $out, $err) = py($al, 'al', '-m', 'index_advisor.alembic', 'check', '--dsn', 'dbname=al',
	'SELECT * FROM no_such_table');
is($rc, 1, 'alembic: check exits 1 for a query that cannot be advised') or diag("$out\n$err");
like($err, qr/42P01: query 1 could not be checked: relation "no_such_table" does not exist/,
	'alembic: ... with its own SQLSTATE');
$node->safe_psql('al', 'TRUNCATE orders');	# the rows of later tests get ids 1, 2, ...

# reverse() and batch mode, with the server: a revision whose downgrade is
# its upgrade's operations reversed by Alembic (UpgradeOps.reverse(), what
# autogenerate writes), and batch_op.apply_index / rollback_index
py($al, 'al', '-m', 'alembic', 'stamp', 'b2000');
open($fh, '>', "$al/versions/d4000_reverse.py") or die;
print $fh <<'EOF';
"""reverse() and batch mode

Revision ID: d4000
Revises: b2000
"""
from alembic import op
from alembic.operations.ops import UpgradeOps

from index_advisor.alembic import ApplyIndexDefinitionOp, ApplyIndexOp, WaitForIndexesOp

revision = "d4000"
down_revision = "b2000"
branch_labels = None
depends_on = None


def operations():
    return [ApplyIndexDefinitionOp("CREATE INDEX orders_prio_idx ON orders (routing_priority)",
                                   migration=revision, index_name="orders_prio_idx"),
            ApplyIndexOp("orders_outcome_idx", "orders", ["outcome"], migration=revision,
                         queries=["SELECT outcome FROM orders WHERE outcome = 'o1'"]),
            WaitForIndexesOp()]


def upgrade():
    for operation in operations():
        op.invoke(operation)
    with op.batch_alter_table("orders") as batch_op:
        batch_op.apply_index("orders_decided_idx", ["decided_date"], migration=revision,
                             queries=["SELECT decided_date FROM orders WHERE decided_date = '2026-01-01'"])
    op.wait_for_indexes()


def downgrade():
    with op.batch_alter_table("orders") as batch_op:
        batch_op.rollback_index("orders_decided_idx", migration=revision)
    for operation in UpgradeOps(ops=operations()).reverse().ops:
        op.invoke(operation)
    op.wait_for_indexes()
EOF
close $fh;
my $d4000 = q{SELECT string_agg(operation || ' ' || index_name || ' ' || status, ', ' ORDER BY id)
	FROM idx_history WHERE migration = 'd4000'};
($rc, $out, $err) = py($al, 'al', '-m', 'alembic', 'upgrade', 'd4000');
is($rc, 0, 'alembic reverse: upgrade d4000') or diag("$out\n$err");
is($node->safe_psql('al', $d4000),
	'create orders_prio_idx done, create orders_outcome_idx done, create orders_decided_idx done',
	'alembic batch: batch_op.apply_index built on the batch table, labelled');
($rc, $out, $err) = py($al, 'al', '-m', 'index_advisor.alembic', 'check', '-c', 'alembic.ini',
	'--revision', 'd4000', '--dsn', 'dbname=al', '--min-gain', '0.99999');
is($rc, 0, 'alembic check: reads the revision with op.invoke and batch_alter_table') or diag("$out\n$err");
like($out, qr/check passed \(2 queries\)/, 'alembic check: ... finding the queries of both');
($rc, $out, $err) = py($al, 'al', '-m', 'alembic', 'downgrade', 'b2000');
is($rc, 0, 'alembic reverse: downgrade runs the reversed operations') or diag("$out\n$err");
is($node->safe_psql('al', $d4000),
	'create orders_prio_idx rolled_back, create orders_outcome_idx rolled_back, create orders_decided_idx rolled_back, '
	  . 'drop orders_decided_idx done, drop orders_outcome_idx done, drop orders_prio_idx done',
	'alembic reverse: ... which roll back every index, the batch one too');
unlink("$al/versions/d4000_reverse.py");

# the extension in a schema of its own, off the search_path (make_include_object too)
{
	local $ENV{IA_HELPER} = '1';
	($rc, $out, $err) = py($al, 'sch', '-m', 'alembic', 'upgrade', 'b2000');
}
is($rc, 0, 'alembic schema: upgrade with the extension off the search_path') or diag("$out\n$err");
is($node->safe_psql('sch', q{SELECT string_agg(migration || ' ' || index_name || ' ' || status, ', ' ORDER BY id)
	FROM ia.idx_history WHERE table_name = 'orders'}),
	'b2000 orders_cust_decided_idx done, b2000 orders_enabled_idx done',
	'alembic schema: ... the indexes are built, labelled');
($rc, $out, $err) = py($al, 'noext', '-m', 'alembic', 'upgrade', 'b2000');
is($rc, 255, 'alembic no extension: upgrade fails') or diag("$out\n$err");
like("$out$err", qr/FAILED: index_advisor: extension "index_advisor" does not exist in this database/,
	'alembic no extension: ... saying the extension is missing');

# idx_export round trip through Alembic: the export of b2000 is a revision
# after a1000 of a fresh environment
my $ale = "$tmp/alembic_export";
system('cp', '-R', "$pydir/tests/alembic_project", $ale) == 0 or die "cp failed";
unlink("$ale/versions/b2000_indexes.py");
$export = $node->safe_psql('al', q{SELECT idx_export('b2000', 'alembic')});
like($export, qr/op\.apply_index_definition\(/, 'idx_export alembic: a revision of op.apply_index_definition');
$export =~ s/down_revision = None/down_revision = 'a1000'/ or die "no down_revision line";
open($fh, '>', "$ale/versions/exported.py") or die;
print $fh $export;
close $fh;
($rc, $out, $err) = py($ale, 'exp_al', '-m', 'alembic', 'upgrade', 'head');
is($rc, 0, 'idx_export alembic: upgrade head runs the exported revision') or diag("$out\n$err");
my $orderdefs = q{SELECT string_agg(pg_get_indexdef(indexrelid), E'\n' ORDER BY indexrelid::regclass::text)
	FROM pg_index WHERE indrelid = 'orders'::regclass AND NOT indisprimary};
is($node->safe_psql('exp_al', $orderdefs), $node->safe_psql('al', $orderdefs),
	'idx_export alembic: the same indexes as the original');
($rc, $out, $err) = py($ale, 'exp_al', '-m', 'alembic', 'downgrade', '-1');
is($rc, 0, 'idx_export alembic: downgrade -1') or diag("$out\n$err");
is($node->safe_psql('exp_al', $orderdefs), '', 'idx_export alembic: ... rolls them back');

# a build that fails: op.wait_for_indexes ends alembic with FAILED and the
# SQLSTATE, and the revision is not recorded
$node->safe_psql('al', 'INSERT INTO orders (customer_id) VALUES (1), (1)');
open($fh, '>', "$al/versions/c3000_unique.py") or die;
print $fh <<'EOF';
"""a unique index that cannot be built

Revision ID: c3000
Revises: b2000
"""
from alembic import op

import index_advisor.alembic  # noqa: F401

revision = "c3000"
down_revision = "b2000"
branch_labels = None
depends_on = None


def upgrade():
    op.apply_index_definition("CREATE UNIQUE INDEX orders_customer_key ON orders (customer_id)")
    op.wait_for_indexes()


def downgrade():
    op.rollback_index("orders_customer_key")
EOF
close $fh;
py($al, 'al', '-m', 'alembic', 'stamp', 'b2000');
($rc, $out, $err) = py($al, 'al', '-m', 'alembic', 'upgrade', 'head');
is($rc, 255, 'alembic: a failed build makes upgrade fail') or diag("$out\n$err");
like("$out$err", qr/FAILED: index_advisor: .*orders_customer_key: failed .*\(SQLSTATE 23505\)/,
	'alembic: ... naming the index and the SQLSTATE');
is($node->safe_psql('al', 'SELECT version_num FROM alembic_version'), 'b2000',
	'alembic: ... and the revision is not recorded');

# ---------------------------------------------------------------------
# A hostile label, exported: loading the migration runs nothing of it
# ---------------------------------------------------------------------
my $marker = "$tmp/hostile_label_ran";
my $payload = qq{open("$marker", "w").close()};
die "the payload must not need quoting" if $payload =~ /['\\]/;
# out of a comment (Django's export once began with one) and out of a
# docstring (Alembic's), each a valid module with 0.2's exports
my %label = (django => qq{E'h1\\n$payload\\n#'},
	alembic => qq{E'h2\\n"""\\n$payload\\n"""\\n#'});
$node->safe_psql('hostile', qq{
	CREATE TABLE h (a integer, b integer);
	SELECT idx_apply('CREATE INDEX h_a ON h (a)', NULL, 'h1');
	SELECT idx_apply('CREATE INDEX h_b ON h (b)', NULL, 'h2');
	CALL idx_wait();
	UPDATE idx_history SET migration = $label{django} WHERE index_name = 'h_a';
	UPDATE idx_history SET migration = $label{alembic} WHERE index_name = 'h_b';
});
is($node->safe_psql('hostile', q{SELECT count(*) FROM idx_history WHERE migration LIKE E'h_\n%' AND status = 'done'}),
	2, 'hostile label: stored on two done rows');
my $djh = "$tmp/django_hostile";
system('cp', '-R', "$pydir/tests/django_project", $djh) == 0 or die "cp failed";
$export = $node->safe_psql('hostile', qq{SELECT idx_export($label{django}, 'django')});
$export =~ s/dependencies = \[\]/dependencies = [("shop", "0002_indexes")]/ or die "no dependencies line";
open($fh, '>', "$djh/shop/migrations/0003_hostile.py") or die;
print $fh $export;
close $fh;
($rc, $out, $err) = py($djh, 'hostile', 'manage.py', 'showmigrations', 'shop');
is($rc, 0, 'hostile label: Django loads the exported migration') or diag("$out\n$err");
like($out, qr/0003_hostile/, 'hostile label: ... and lists it');
ok(!-e $marker, 'hostile label: loading the Django migration ran none of the label');
my $ah = "$tmp/alembic_hostile";
system('cp', '-R', "$pydir/tests/alembic_project", $ah) == 0 or die "cp failed";
$export = $node->safe_psql('hostile', qq{SELECT idx_export($label{alembic}, 'alembic')});
$export =~ s/down_revision = None/down_revision = 'b2000'/ or die "no down_revision line";
open($fh, '>', "$ah/versions/hostile.py") or die;
print $fh $export;
close $fh;
($rc, $out, $err) = py($ah, 'hostile', '-m', 'alembic', 'history');
is($rc, 0, 'hostile label: Alembic loads the exported revision') or diag("$out\n$err");
like($out, qr/b2000 -> ia_/, 'hostile label: ... and lists it after b2000');
ok(!-e $marker, 'hostile label: loading the Alembic revision ran none of the label');
# the literals read back as the stored labels
for my $kind ('django', 'alembic')
{
	my $hex = $node->safe_psql('hostile', qq{SELECT encode(convert_to($label{$kind}, 'UTF8'), 'hex')});
	my $file = $kind eq 'django' ? "$djh/shop/migrations/0003_hostile.py" : "$ah/versions/hostile.py";
	my $name = $kind eq 'django' ? 'EXPORTED_FROM' : 'exported_from';
	($rc, $out, $err) = py($tmp, 'hostile', '-c',
		"import ast, sys; print(next(n.value.value for n in ast.parse(open(sys.argv[1]).read()).body"
		  . " if isinstance(n, ast.Assign) and n.targets[0].id == '$name').encode().hex())", $file);
	is($out, "$hex\n", "hostile label: the $kind export holds it as a literal equal to the label") or diag($err);
}

# ---------------------------------------------------------------------
# squashmigrations never folds the Django operations
# ---------------------------------------------------------------------
($rc, $out, $err) = py("$pydir/tests/django_project", 'hostile', "$pydir/tests/test_reduce.py");
is($rc, 0, 'django: reduce() never folds ApplyIndex, RollbackIndex, ApplyIndexDefinition or WaitForIndexes')
	or diag("$out\n$err");
like($err, qr/^OK$/m, 'django: ... every case of python/tests/test_reduce.py passed') or diag($err);

# Alembic's operations: reverse() as autogenerate uses it, the batch forms
($rc, $out, $err) = py("$pydir/tests", 'hostile', "$pydir/tests/test_alembic_ops.py");
is($rc, 0, 'alembic: reverse() and the batch forms (python/tests/test_alembic_ops.py)') or diag("$out\n$err");
like($err, qr/^OK$/m, 'alembic: ... every case passed') or diag($err);

# ---------------------------------------------------------------------
# pg_dump --section=post-data
# ---------------------------------------------------------------------
my $table = q{CREATE TABLE dump_t (id integer, dept integer, status text, kind text,
	customer_id integer, decided date, outcome text, enabled boolean)};
$node->safe_psql('al', "$table;
	CREATE INDEX dump_t_dept_idx ON dump_t (dept, status, kind);
	CREATE INDEX dump_t_cust_idx ON dump_t (customer_id, decided DESC) INCLUDE (outcome);
	CREATE INDEX dump_t_enabled_idx ON dump_t (customer_id) WHERE enabled;
	CREATE UNIQUE INDEX dump_t_id_key ON dump_t USING btree (id);");
$node->safe_psql('dj2', $table);
my $dump = '';
IPC::Run::run([ 'pg_dump', '--section=post-data', '-t', 'dump_t', '-h', $node->host,
	'-p', $node->port, 'al' ], '>', \$dump, '2>', \$err) or die "pg_dump: $err";
like($dump, qr/SET default_table_access_method|set_config\('search_path'/, 'pg_dump: post-data has its settings');
is($node->safe_psql('dj2', 'SELECT count(*) FROM idx_apply_script(' . script_of($dump) . q{, 'from_dump')}),
	4, 'pg_dump: post-data fed to idx_apply_script queues the 4 indexes');
$node->safe_psql('dj2', 'CALL idx_wait()');
my $defs = q{SELECT string_agg(indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'dump_t'};
is($node->safe_psql('dj2', $defs), $node->safe_psql('al', $defs), 'pg_dump: ... the same indexes');

# ---------------------------------------------------------------------
# doc/orm.md: its SQL examples run, top to bottom, in one session
# ---------------------------------------------------------------------
my $doc = slurp_file(abs_path('doc/orm.md'));
my @blocks = $doc =~ /^```sql\n(.*?)^```/msg;
ok(@blocks >= 2, 'doc/orm.md has SQL examples');
my ($drc, $dout, $derr) = $node->psql('docs', join("\n", @blocks), on_error_stop => 1);
is($drc, 0, 'doc/orm.md: every SQL example runs') or diag($derr);
is($node->safe_psql('docs', q{SELECT string_agg(index_name || ' ' || status, ', ' ORDER BY id) FROM idx_history}),
	'orm_tasks_dept_idx done, orm_tasks_cust_idx done, orm_tasks_enabled_idx done',
	'doc/orm.md: its script built the three indexes, and its export found them all existing');

$node->stop;
done_testing();
