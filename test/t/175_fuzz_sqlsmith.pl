# Fuzzing the entry points that plan or execute other people's SQL (issue 19):
# random, type-correct statements from sqlsmith are fed into idx_whatif,
# idx_advise, idx_apply's query check and idx_explain(id, "analyze" => true),
# with random cancels, and no backend may crash.
#
# The corpus.  sqlsmith (Debian package, 1.4) is run at test time, with
# fixed seeds, against test/fuzz/schema.sql (partitioned tables, jsonb,
# arrays, ranges, views, RLS, IMMUTABLE/STABLE plpgsql and SQL functions of
# another role that run queries), in a database that has the schema and
# not the extension: its output depends only on the schema, the seed, the
# role it connects as and PostgreSQL 15's catalogs (verified: the same
# bytes in two databases with different OIDs, 3 s for 2,000 statements),
# so nothing is committed but the schema.  Statements that call a function
# with effects outside the statement (signals, sleeps, settings, files,
# WAL, large objects, advisory locks) are left out (@deny, counted), so
# that the test can neither kill nor stall its own server; idx_explain
# executes only SELECTs without volatile functions anyway.  Every other
# statement's "cast(null as T)" becomes "cast($n as T)" (n = 1, 2, 3) so
# that generic plans, parameter type inference and representative values
# for $n are fuzzed too.
#
# The run.  Each statement goes to idx_whatif (with the definitions of the
# tables it names), idx_advise and BEGIN; idx_apply(def, ARRAY[stmt]);
# ROLLBACK, in the session of fuzz_owner (a non-superuser that owns fz.*
# and is a member of fuzz_funcs, the functions' owner) or, one statement in
# four, of a superuser.  The statements idx_advise took are then fed in
# batches of 20 to 100 to idx_advise(..., max_indexes => 100), with 400
# indexable "col = $1 AND ... ORDER BY ... LIMIT" queries of every table
# (which sqlsmith seldom writes) in batches of 100: long selection phases.
# The SELECTs idx_apply took are stored, 100 an index, with real indexes
# built for the test, on which idx_explain(id, "analyze" => true) runs.
# About one single call in five is cut short, by a random statement_timeout
# or by pg_cancel_backend from a second session, after a random delay up
# to about the mean time of such calls; each batch runs once whole, then is
# cut within the time it took, three (sqlsmith's) or five times.
#
# The verdict.  Per-statement errors are expected and counted by SQLSTATE.
# The test fails on a crash: "terminated by signal" in the server log, or a
# checkpointer with another pid (pg_postmaster_start_time() does not change
# on a crash restart); and on freed memory sent to the client: the server
# runs with MALLOC_PERTURB_ (glibc fills freed memory with 0xa5), so an
# error whose strings were freed with their context (issue 19 item 2)
# shows 0xa5 bytes, or crashes, instead of stale bytes that look right.  A
# crash is attributed to the call in flight (the log names the pid), the
# sessions reconnect once the server has restarted, and the fuzz goes on:
# every crash is listed with its call, with a backtrace when a core file
# and gdb are there (bench/fuzz.sh allows core files); the calls are also
# written to tmp_check/log/175_fuzz_crashes.sql (175_fuzz_freed.sql for
# freed memory), and the requests idx_explain ran on to
# 175_fuzz_explain_requests.sql, for replaying.
#
# Budget: the default (4 seeds x 500 statements) takes 1 to 2 minutes on 2
# cores.  bench/fuzz.sh runs this file with more: FUZZ_SEEDS (first-last,
# default 1-4), FUZZ_PER_SEED (500), FUZZ_MAX_CRASHES (stop feeding after
# that many, 25), FUZZ_EXPLAIN_INDEXES (indexes built per role for
# idx_explain, 100 stored queries each, at most 5; 2), FUZZ_SUMMARY (a file
# to write the summary to).  The summary (statements fed and calls per
# entry point, what was cut short, errors by SQLSTATE, internal errors,
# freed memory, crashes) goes to the test's log.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(time usleep);
use File::Basename qw(dirname);

my $sqlsmith = `command -v sqlsmith 2>/dev/null`;
chomp $sqlsmith;
plan skip_all => 'sqlsmith is not installed (Debian package sqlsmith; scripts/setup.sh installs it)'
  unless $sqlsmith;

my ($seed_first, $seed_last) = split /-/, ($ENV{FUZZ_SEEDS} // '1-4');
$seed_last //= $seed_first;
my $per_seed = $ENV{FUZZ_PER_SEED} // 500;
my $max_crashes = $ENV{FUZZ_MAX_CRASHES} // 25;
my $explain_indexes = $ENV{FUZZ_EXPLAIN_INDEXES} // 2;    # per role, at most 5
my $min_statements = ($seed_last - $seed_first + 1) * $per_seed;
my $fuzz_dir = dirname(__FILE__) . '/../fuzz';
srand(19);    # the cancels' timing varies anyway; their choice does not

# Functions whose call would reach outside the statement (the superuser's
# sessions could run them): such statements are left out, and counted.
my @deny = qw(
  pg_terminate_backend pg_cancel_backend pg_signal_backend pg_reload_conf
  pg_rotate_logfile pg_rotate_logfile_old pg_switch_wal pg_promote
  pg_wal_replay_pause pg_wal_replay_resume pg_create_restore_point
  pg_backup_start pg_backup_stop pg_start_backup pg_stop_backup
  pg_stop_making_pinned_objects pg_nextoid pg_sleep pg_sleep_for
  pg_sleep_until set_config pg_notify pg_log_backend_memory_contexts
  pg_import_system_collations pg_stat_reset pg_stat_reset_shared
  pg_stat_reset_single_table_counters pg_stat_reset_single_function_counters
  pg_stat_reset_slru pg_stat_reset_replication_slot
  pg_stat_reset_subscription_stats pg_read_file pg_read_binary_file
  pg_stat_file pg_ls_dir pg_ls_logdir pg_ls_waldir pg_ls_tmpdir
  pg_ls_archive_statusdir pg_logical_emit_message pg_export_snapshot
  pg_advisory_lock pg_advisory_lock_shared pg_try_advisory_lock
  pg_try_advisory_lock_shared pg_advisory_xact_lock
  pg_advisory_xact_lock_shared pg_try_advisory_xact_lock
  pg_try_advisory_xact_lock_shared);
my $deny_re = '\b(?:' . join('|', @deny) . '|lo_\w+|pg_replication_\w+|\w*replication_slot\w*)\s*\(';
$deny_re = qr/$deny_re/;

# ---------------------------------------------------------------------
# The server, the schema, the corpus
# ---------------------------------------------------------------------
my $node = PostgreSQL::Test::Cluster->new('fuzz');
$node->init;
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 16
index_advisor.check_timeout = '300ms'
restart_after_crash = on
# the log keeps crashes (LOG) and FATALs, not the thousands of expected errors
log_min_messages = log
log_min_error_statement = panic
log_statement = none
});
{
    # glibc fills freed memory with 0xa5: a read of memory freed with its
    # context (a dangling error, issue 19 item 2) then crashes instead of
    # reading stale bytes that happen to be intact
    local $ENV{MALLOC_PERTURB_} = 165;
    $node->start;
}
$node->safe_psql('postgres', 'CREATE DATABASE fuzz');
$node->command_ok(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('fuzz'),
                   '-f', "$fuzz_dir/schema.sql"], 'the schema of test/fuzz/schema.sql');

my @corpus;    # [ statement, seed ]
my ($denied, $with_params) = (0, 0);
for my $seed ($seed_first .. $seed_last)
{
    my ($out, $err) = ('', '');
    my $target = $node->connstr('fuzz') . ' user=fuzz_owner';
    IPC::Run::run([$sqlsmith, "--target=$target", '--exclude-catalog', '--dry-run',
                   '--max-queries=' . int($per_seed * 1.2 + 20), "--seed=$seed"],
                  '>', \$out, '2>', \$err)
      or die "sqlsmith --seed=$seed failed: $err";
    my $kept = 0;
    for my $stmt (split /;\n/, $out)
    {
        $stmt =~ s/^\s+|\s+$//g;
        next if $stmt eq '';
        last if $kept == $per_seed;
        if ($stmt =~ $deny_re) { $denied++; next; }
        if (@corpus % 2 == 1)
        {
            my $n = 0;
            $stmt =~ s/\bcast\(null as /$n < 3 ? 'cast($' . ++$n . ' as ' : 'cast(null as '/ge;
            $with_params++ if $n;
        }
        push @corpus, [ $stmt, $seed ];
        $kept++;
    }
}
note sprintf('corpus: %d statements from seeds %d-%d (%d left out: they call a function with outside effects; %d with $n)',
             scalar(@corpus), $seed_first, $seed_last, $denied, $with_params);
cmp_ok(scalar(@corpus), '>=', $min_statements, "sqlsmith gave $min_statements statements");

$node->safe_psql('fuzz', q{
    CREATE EXTENSION index_advisor;
    ALTER ROLE fuzz_owner SET statement_timeout = '10s';
    ALTER ROLE fuzz_owner SET client_min_messages = warning;
});

# Indexable queries, which sqlsmith seldom writes: "col op $n" on 1 to 3
# columns, an ORDER BY, a LIMIT, on every table of the schema.  They give
# idx_advise many candidates, hence long selection phases, where a cancel
# once left a dangling error (issue 19 item 2).
my %columns;    # table => [ [ column, type ] ]
for my $row (split /\n/, $node->safe_psql('fuzz', q{
    SELECT c.relnamespace::regnamespace || '.' || c.relname, a.attname,
           format_type(a.atttypid, NULL)
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace IN ('fz'::regnamespace, 'fzf'::regnamespace)
       AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY 1, a.attnum}))
{
    my ($t, $c, $type) = split /\|/, $row;
    push @{ $columns{$t} }, [ $c, $type ];
}
sub indexable_query
{
    my @tables = sort keys %columns;
    my $t = $tables[ int(rand(@tables)) ];
    my @cols = @{ $columns{$t} };
    my (@where, $n);
    for (1 .. 1 + int(rand(3)))
    {
        my ($c, $type) = @{ $cols[ int(rand(@cols)) ] };
        my $op = $type =~ /\[\]$|^jsonb$/ ? '@>'
               : !$n ? '='
               : $type eq 'text' && rand() < 0.3 ? 'LIKE'
               : (qw(= = > < >=))[ int(rand(5)) ];
        push @where, "$c $op \$" . ++$n;
    }
    my $order = rand() < 0.8 ? ' ORDER BY ' . $cols[ int(rand(@cols)) ][0] . (rand() < 0.5 ? ' DESC' : '') : '';
    my $limit = rand() < 0.8 ? ' LIMIT ' . (1 + int(rand(20))) : '';
    return "SELECT * FROM $t WHERE " . join(' AND ', @where) . $order . $limit;
}
my @indexable = map { indexable_query() } 1 .. 400;

# ---------------------------------------------------------------------
# Sessions: a psql kept open, fed one call at a time
# ---------------------------------------------------------------------
package FuzzSession;

sub new
{
    my ($class, $node, $user, $name) = @_;
    my $self = bless { node => $node, user => $user, name => $name }, $class;
    $self->connect;
    return $self;
}

sub connect
{
    my ($self) = @_;
    $self->{$_} = '' for qw(in out err);
    $self->{n} = 0;
    $self->{timer} = IPC::Run::timeout(120);
    my $conn = $self->{node}->connstr('fuzz') . " user=$self->{user} application_name=fuzz_$self->{name}";
    $self->{h} = IPC::Run::start(
        [ 'psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=0', '-v', 'VERBOSITY=verbose',
          '-v', 'SHOW_CONTEXT=never', '-d', $conn ],
        '<', \$self->{in}, '>', \$self->{out}, '2>', \$self->{err}, $self->{timer});
    my ($out) = $self->call(q{SET statement_timeout = '10s'; SET client_min_messages = warning; SELECT pg_backend_pid()});
    ($self->{pid}) = ($out // '') =~ /(\d+)/;
    return $self->{pid};
}

# call(sql, at => seconds, then => sub): send, and run "then" once "at"
# seconds have passed if the call is still running.  Returns (stdout,
# stderr, seconds), or () if psql ended (its connection was lost).
sub call
{
    my ($self, $sql, %opt) = @_;
    my $tag = '@@' . ++$self->{n} . '@@';
    my $start = Time::HiRes::time();
    $self->{timer}->start(120);
    $self->{in} .= "$sql\n;\n\\echo '$tag'\n\\warn '$tag'\n";
    my $at = defined $opt{at} ? $start + $opt{at} : undef;
    while (!($self->{out} =~ /\Q$tag\E\n/ && $self->{err} =~ /\Q$tag\E\n/))
    {
        return () unless $self->{h}->pumpable;
        if (defined $at)
        {
            eval { $self->{h}->pump_nb };
            if (Time::HiRes::time() >= $at) { $opt{then}->(); undef $at; }
            else { Time::HiRes::usleep(200); }
        }
        else
        {
            eval { $self->{h}->pump };
        }
        die "psql call timed out: " . substr($sql, 0, 200) if $self->{timer}->is_expired;
    }
    my ($out, $err) = ($self->{out}, $self->{err});
    $out =~ s/\Q$tag\E\n//;
    $err =~ s/\Q$tag\E\n//;
    $self->{out} = $self->{err} = '';
    return ($out, $err, Time::HiRes::time() - $start);
}

# send without waiting (the canceller); drain() drops what came back
sub send { my ($self, $sql) = @_; $self->{in} .= "$sql;\n"; eval { $self->{h}->pump_nb }; }
sub drain { my ($self) = @_; eval { $self->{h}->pump_nb }; $self->{out} = $self->{err} = ''; }

sub close
{
    my ($self) = @_;
    $self->{in} .= "\\q\n" if $self->{h}->pumpable;
    eval { $self->{h}->finish };
}

package main;

my %sess;
sub connect_all
{
    $sess{owner} = FuzzSession->new($node, 'fuzz_owner', 'owner');
    $sess{super} = FuzzSession->new($node, $node->safe_psql('postgres', 'SELECT current_user'), 'super');
    $sess{cancel} = FuzzSession->new($node, $node->safe_psql('postgres', 'SELECT current_user'), 'cancel');
}
connect_all();

my $checkpointer_sql = q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'};
my $checkpointer = $node->safe_psql('postgres', $checkpointer_sql);
ok($checkpointer =~ /^\d+$/, "the checkpointer runs (pid $checkpointer)");

# ---------------------------------------------------------------------
# Calls, cancels, crashes
# ---------------------------------------------------------------------
my (%calls, %fed, %errors, %cut, @crashes, %internal, %internal_n, @freed);
my %avg;          # entry point => mean seconds of a call, for the cancels' delays
my $log_offset = -s $node->logfile;

# The log since the last look: crashes in it, attributed to the calls in
# flight by pid.  Returns how many it found.
sub look_for_crashes
{
    my ($inflight) = @_;    # pid => [ entry point, statement ]
    my $log = slurp_file($node->logfile, $log_offset);
    $log_offset += length($log);
    my $found = 0;
    # (line by line: a regex with ^ over a large log backtracks for ever)
    my @lines = split /\n/, $log;
    for my $i (0 .. $#lines)
    {
        next unless $lines[$i] =~ /\((?:PID|pid) (\d+)\) was terminated by signal (\d+)/;
        my ($pid, $sig) = ($1, $2);
        my ($running) = ($lines[$i + 1] // '') =~ /DETAIL:  Failed process was running: (.*)/;
        my $what = $inflight->{$pid} // [ 'unknown (not a fuzz session)', $running // '' ];
        push @crashes, { pid => $pid, signal => $sig, entry => $what->[0], sql => $what->[1],
                         running => $running // '' };
        $found++;
    }
    return $found;
}

# After a lost connection: wait for the restart, account for the crash,
# reconnect every session.
sub recover
{
    my ($entry, $sql, $session) = @_;
    append_to_file("$PostgreSQL::Test::Utils::log_path/175_fuzz_crashes.sql",
                   "-- lost the connection in $entry, as $session->{user}\n$sql;\n");
    $node->poll_query_until('postgres', 'SELECT true') or die 'the server did not come back';
    my %inflight = ($session->{pid} => [ $entry, $sql ]);
    # the crash line is written by the postmaster before it restarts: it is
    # in the log by now (the restart is logged after it)
    if (!look_for_crashes(\%inflight))
    {
        push @crashes, { pid => $session->{pid}, signal => '?', entry => $entry, sql => $sql,
                         running => 'connection lost, no crash line in the log' };
    }
    $_->close for values %sess;
    connect_all();
}

# fuzz(role, entry point, sql, statements it feeds, within => seconds |
# whole => 1): one call, perhaps cut short.  By default one call in five is
# cut after a random delay up to about the mean time of this entry point's
# calls; "within": cut after a random delay up to that many seconds;
# "whole": not cut.  Returns (1 if it succeeded, its time).
sub fuzz
{
    my ($role, $entry, $sql, $nstmts, %o) = @_;
    my $s = $sess{$role};
    my %opt;
    my $r = $o{whole} ? 1 : defined $o{within} ? rand(0.2) : rand();
    my $span = $o{within} // 1.5 * ($avg{$entry} // 0.005);
    if ($r < 0.1)    # a statement_timeout in the call
    {
        my $ms = 1 + int(rand($span * 1000));
        $sql = "SET statement_timeout = '${ms}ms';\n$sql;\nSET statement_timeout = '10s'";
        $cut{"$entry: statement_timeout"}++;
    }
    elsif ($r < 0.2)    # pg_cancel_backend from another session
    {
        my $pid = $s->{pid};
        %opt = (at => rand($span),
                then => sub { $sess{cancel}->send("SELECT pg_cancel_backend($pid)") });
        $cut{"$entry: pg_cancel_backend"}++;
    }
    my ($out, $err, $secs) = $s->call($sql, %opt);
    $sess{cancel}->drain;
    $calls{$entry}++;
    $fed{$entry} += $nstmts;
    if (!defined $out)
    {
        recover($entry, $sql, $s);
        $errors{$entry}{'connection lost'}++;
        return (0);
    }
    $avg{$entry} = defined $avg{$entry} ? 0.9 * $avg{$entry} + 0.1 * $secs : $secs
      unless %opt || $sql =~ /^SET statement_timeout/;
    my @codes = $err =~ /^(?:psql:[^\n]*?: )?(?:ERROR|FATAL|PANIC):  ([0-9A-Z]{5}):/mg;
    $errors{$entry}{$_}++ for @codes;
    # freed memory in what the server sent: MALLOC_PERTURB_'s 0xa5 bytes
    # (four in a row are never UTF-8), a dangling error's strings
    if ($err =~ /\xa5{4}/ || $out =~ /\xa5{4}/)
    {
        $errors{$entry}{'freed memory sent'}++;
        append_to_file("$PostgreSQL::Test::Utils::log_path/175_fuzz_freed.sql",
                       "-- freed memory sent back in $entry, as $s->{user}\n$sql;\n");
        push @freed, [ $entry, $err =~ /^((?:ERROR|LOCATION)[^\n]*\xa5[^\n]*)/m ? $1 : '', $sql ] if @freed < 5;
    }
    # an internal error (elog) reached by input: worth a look, kept
    if ($err =~ /^(?:psql:[^\n]*?: )?ERROR:  XX000: (?:query \d+: )?([^\n]*)/m)
    {
        $internal{$1} //= [ $entry, $sql ];    # the first call of each message
        $internal_n{$1}++;
    }
    if ($err =~ /server closed the connection|connection to server was lost|terminating connection because of crash/)
    {
        recover($entry, $sql, $s);
        $errors{$entry}{'connection lost'}++;
        return (0);
    }
    # a cancel or timeout can also land on the ROLLBACK or the SET that
    # follow the call: end what it left open, unhurried
    if ((@codes || %opt || $sql =~ /^SET/) && !$s->call("ROLLBACK;\nSET statement_timeout = '10s'"))
    {
        recover($entry, $sql, $s);
        $errors{$entry}{'connection lost'}++;
        return (0);
    }
    return (@codes ? 0 : 1, $secs);
}

sub quote_sql { my ($t) = @_; return "\$fz\$$t\$fz\$"; }

# Definitions for idx_whatif and idx_apply, by the table they index
my %defs = (
    'fz.customers' => [ 'CREATE INDEX ON fz.customers (country, born)',
                        'CREATE INDEX ON fz.customers USING gin (tags)',
                        'CREATE INDEX ON fz.customers USING gin (profile jsonb_path_ops)',
                        'CREATE INDEX ON fz.customers (lower(email))',
                        'CREATE INDEX ON fz.customers (score) WHERE country = \'fr\'',
                        'CREATE INDEX ON fz.customers (name) INCLUDE (email)',
                        'CREATE INDEX ON fz.customers USING hash (ref)',
                        'CREATE INDEX ON fz.customers USING brin (born)' ],
    'fz.orders'    => [ 'CREATE INDEX ON fz.orders (customer_id, placed DESC)',
                        'CREATE INDEX ON fz.orders (status) WHERE amount > 100',
                        'CREATE INDEX ON fz.orders USING gin (items)' ],
    'fz.events'    => [ 'CREATE INDEX ON fz.events (kind, at)',
                        'CREATE INDEX ON fz.events USING gin (ids)',
                        'CREATE INDEX ON fz.events USING gist (span)',
                        'CREATE INDEX ON fz.events ((payload ->> \'k\'))' ],
    'fz.notes'     => [ 'CREATE INDEX ON fz.notes (customer_id, created)',
                        'CREATE INDEX ON fz.notes USING gin (words)',
                        'CREATE INDEX ON fz.notes (body text_pattern_ops)' ],
    'fz.orders_2024_open' => [ 'CREATE INDEX ON fz.orders_2024_open (currency)' ],
    'fzf.audit'    => [ 'CREATE INDEX ON fzf.audit (region, at)' ],
);
sub defs_for
{
    my ($stmt, $i) = @_;
    my @d;
    for my $t (sort keys %defs)
    {
        next unless $stmt =~ /\Q$t\E\b/;
        my $l = $defs{$t};
        push @d, $l->[$i % @$l];
    }
    @d = ('CREATE INDEX ON fz.notes (body text_pattern_ops)') unless @d;
    return @d[0 .. ($#d < 2 ? $#d : 2)];
}

# ---------------------------------------------------------------------
# 1. every statement: idx_whatif, idx_advise, idx_apply's check
# ---------------------------------------------------------------------
my $t0 = time();
my (%accepted, %advised);    # role => [ statements accepted by idx_apply / advised alone ]
for my $i (0 .. $#corpus)
{
    last if @crashes >= $max_crashes;
    my $stmt = $corpus[$i][0];
    my $role = $i % 4 == 3 ? 'super' : 'owner';
    my $q = quote_sql($stmt);
    my @d = defs_for($stmt, $i);
    my $darr = 'ARRAY[' . join(', ', map { quote_sql($_) } @d) . ']';
    fuzz($role, 'idx_whatif', "SELECT count(*) FROM idx_whatif($darr, ARRAY[$q])", 1);
    push @{ $advised{$role} }, $stmt
      if (fuzz($role, 'idx_advise', "SELECT count(*) FROM idx_advise(ARRAY[$q])", 1))[0];
    push @{ $accepted{$role} }, $stmt
      if (fuzz($role, 'idx_apply', "BEGIN;\nSELECT idx_apply(" . quote_sql($d[0]) . ", ARRAY[$q]);\nROLLBACK", 1))[0];
}
my $t1 = time();

# ---------------------------------------------------------------------
# 2. idx_advise on batches of what it advised alone: long selection phases
# ---------------------------------------------------------------------
for my $role (qw(owner super))
{
    my @ok = @{ $advised{$role} // [] };
    while (@ok && @crashes < $max_crashes)
    {
        my @batch = splice(@ok, 0, 20 + int(rand(81)));
        my $arr = 'ARRAY[' . join(",\n", map { quote_sql($_) } @batch) . ']';
        my $call = "SELECT count(*) FROM idx_advise($arr, max_indexes => 100)";
        # once whole, then cut short three times within the time it took
        my ($ok, $secs) = fuzz($role, 'idx_advise (batch)', $call, scalar(@batch), whole => 1);
        next unless $ok;
        fuzz($role, 'idx_advise (batch)', $call, scalar(@batch), within => $secs) for 1 .. 3;
    }
}
for my $role (qw(owner super))
{
    for my $k (0, 1)
    {
        last if @crashes >= $max_crashes;
        my @batch = @indexable[ ($k + ($role eq 'super' ? 2 : 0)) * 100 .. ($k + ($role eq 'super' ? 2 : 0)) * 100 + 99 ];
        my $call = 'SELECT count(*) FROM idx_advise(ARRAY[' . join(",\n", map { quote_sql($_) } @batch)
          . '], max_indexes => 100)';
        my ($ok, $secs) = fuzz($role, 'idx_advise (indexable batch)', $call, 100, whole => 1);
        next unless $ok;
        fuzz($role, 'idx_advise (indexable batch)', $call, 100, within => $secs) for 1 .. 5;
    }
}
my $t2 = time();

# ---------------------------------------------------------------------
# 3. idx_explain(analyze) on indexes built with the accepted SELECTs
# ---------------------------------------------------------------------
my @explain_defs = map { "CREATE INDEX fuzz_x_$_->[0]_$_->[1] ON fz.$_->[0] ($_->[1], id)" }
  ([ 'customers', 'born' ], [ 'notes', 'created' ], [ 'customers', 'name' ], [ 'notes', 'body' ],
   [ 'customers', 'email' ], [ 'notes', 'customer_id' ], [ 'customers', 'score' ], [ 'notes', 'parent' ],
   [ 'customers', 'country' ], [ 'notes', 'pinned' ]);
my @built;    # [ role, id ]
for my $role (qw(owner super))
{
    my @sel = grep { /^\s*(?:with|select)\b/i } @{ $accepted{$role} // [] };
    for my $k (1 .. $explain_indexes)
    {
        my @q = splice(@sel, 0, 100);
        last unless @q;
        my $def = shift @explain_defs;
        my $apply = 'SELECT idx_apply(' . quote_sql($def) . ', ARRAY[' . join(",\n", map { quote_sql($_) } @q) . '])';
        # kept for reproducing: the request, as its role makes it
        append_to_file("$PostgreSQL::Test::Utils::log_path/175_fuzz_explain_requests.sql",
                       ($role eq 'owner' ? "SET ROLE fuzz_owner;\n" : "RESET ROLE;\n") . "$apply;\n");
        my ($out, $err) = $sess{$role}->call($apply);
        recover('idx_apply (stored for idx_explain)', $apply, $sess{$role}) unless defined $out;
        if (defined $out && $out =~ /^(\d+)$/m) { push @built, [ $role, $1, scalar(@q) ]; }
        else { note "idx_apply($def) with " . scalar(@q) . " queries refused: " . ($err // 'connection lost'); }
    }
}
$node->safe_psql('fuzz', 'CALL idx_wait()') if @built;
for my $b (@built)
{
    my ($role, $id, $n) = @$b;
    for my $round (1 .. 8)
    {
        last if @crashes >= $max_crashes;
        fuzz($role, 'idx_explain(analyze)',
             "SELECT count(*), count(time_ms) FROM idx_explain($id, \"analyze\" => true, runs => 1)", $n);
    }
}
my $t3 = time();

# ---------------------------------------------------------------------
# Verdict and summary
# ---------------------------------------------------------------------
$_->close for values %sess;
look_for_crashes({});
my $log = slurp_file($node->logfile);
my @signals = grep { /terminated by signal/ } split /\n/, $log;

my @summary;
push @summary, sprintf('statements: %d (seeds %d-%d); phases: %.0f s all entry points, %.0f s advise batches, %.0f s explain',
                       scalar(@corpus), $seed_first, $seed_last, $t1 - $t0, $t2 - $t1, $t3 - $t2);
for my $e (sort keys %calls)
{
    my $errs = $errors{$e} // {};
    my $nerr = 0;
    $nerr += $_ for values %$errs;
    push @summary, sprintf('%-22s %6d calls, %6d statements fed, %6d errors: %s', $e, $calls{$e}, $fed{$e},
                           $nerr, join(', ', map { "$_ x$errs->{$_}" } sort { $errs->{$b} <=> $errs->{$a} } keys %$errs));
}
push @summary, 'cut short: ' . join(', ', map { "$_ x$cut{$_}" } sort keys %cut);
push @summary, sprintf('idx_explain on %d indexes (%s stored queries)', scalar(@built),
                       join('+', map { $_->[2] } @built));
# long calls are cut in the summary (the whole ones are in the files above)
sub excerpt { my ($t) = @_; return (length($t) > 1500 ? substr($t, 0, 1500) . ' ...' : $t) =~ s/\n/\n      /gr; }
for my $m (sort keys %internal)
{
    push @summary, "  XX000 (x$internal_n{$m}), first in $internal{$m}[0]: $m";
    push @summary, '    call: ' . excerpt($internal{$m}[1]);
}
for my $x (@freed)
{
    (my $what = $x->[1]) =~ s/\xa5+/<0xa5...>/g;
    push @summary, "  freed memory sent in $x->[0]: $what";
    push @summary, '    call: ' . excerpt($x->[2]);
}
push @summary, sprintf('crashes: %d', scalar(@crashes));
for my $c (@crashes)
{
    push @summary, "  crash: pid $c->{pid}, signal $c->{signal}, in $c->{entry}";
    push @summary, '    statement: ' . excerpt($c->{sql});
    push @summary, "    log: $c->{running}" if $c->{running} && $c->{running} ne $c->{sql};
}
note join("\n", @summary);
if ($ENV{FUZZ_SUMMARY})
{
    open(my $fh, '>', $ENV{FUZZ_SUMMARY}) or die "$ENV{FUZZ_SUMMARY}: $!";
    print $fh join("\n", @summary), "\n";
    close $fh;
}

# backtraces, when the server was allowed core files (bench/fuzz.sh)
my @cores = glob($node->data_dir . '/core*');
if (@cores && `command -v gdb 2>/dev/null`)
{
    my $postgres = $node->installed_command('postgres');
    $postgres = `command -v postgres` =~ s/\s+$//r if $postgres !~ m{/};
    for my $core (@cores[0 .. ($#cores < 9 ? $#cores : 9)])
    {
        diag "backtrace of $core:\n" . `gdb -batch -q -ex bt '$postgres' '$core' 2>&1 | grep '^#'`;
    }
}

# what a user would see: fed, cut short, and never a crash
cmp_ok($fed{idx_whatif} // 0, '>=', $min_statements, 'every statement went to idx_whatif');
cmp_ok($fed{idx_advise} // 0, '>=', $min_statements, 'and to idx_advise');
cmp_ok($fed{idx_apply} // 0, '>=', $min_statements, "and to idx_apply's check");
ok(@built >= 2, 'idx_explain(analyze) ran on indexes built with fuzzed queries');
cmp_ok(scalar(@{ $accepted{owner} // [] }) + scalar(@{ $accepted{super} // [] }), '>=', $min_statements / 5,
       "idx_apply accepted at least a fifth of the statements (the fuzz reaches the planner)");
cmp_ok(($errors{idx_advise}{'57014'} // 0) + ($errors{'idx_advise (batch)'}{'57014'} // 0), '>', 0,
       'some calls were cancelled (57014)');
is(scalar(@crashes), 0, 'no call crashed a backend') or diag join("\n", @summary);
is(scalar(@freed), 0, 'no call got freed memory back (0xa5 bytes of MALLOC_PERTURB_ in an error)');
is(scalar(@signals), 0, 'no "terminated by signal" in the server log')
  or diag join("\n", @signals[0 .. ($#signals < 9 ? $#signals : 9)]);
is($node->safe_psql('postgres', $checkpointer_sql), $checkpointer,
   'the checkpointer is the one that started (no crash restart)');

$node->stop;
done_testing();
