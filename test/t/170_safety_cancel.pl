# A cancel never crashes the server (issue 19, item 2; doc/safety-planning.md
# "Every memory context and resource owner is restored"): idx_advise of 100
# queries with $n parameters and max_indexes => 100, cancelled over and over
# at different moments of its run (statement_timeout spread over the run,
# and pg_cancel_backend from a second session), always ends with the
# cancel's error, and no backend ever dies: no "terminated by signal" in the
# server log and the checkpointer still the same process (a crash restart
# keeps pg_postmaster_start_time(), so only the checkpointer's pid tells).
# 0.2 died in EmitErrorReport within a few tries: its planning functions
# returned on the rolled-back subtransaction's memory, and the cancel's
# error was copied there.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $node = PostgreSQL::Test::Cluster->new('safety_cancel');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
    SET client_min_messages = warning;
    CREATE EXTENSION index_advisor;
    CREATE TABLE ct (id int PRIMARY KEY, c0 int, c1 int, c2 int, c3 int,
                     c4 int, c5 int, c6 int, c7 int, c8 int, c9 text);
    INSERT INTO ct SELECT g, g % 7, g % 11, g % 13, g % 17, g % 19, g % 23,
                          g % 29, g % 31, g % 37, 'v' || (g % 41)
      FROM generate_series(1, 20000) g;
    CREATE TABLE cu (id int PRIMARY KEY, t_id int, d0 int, d1 int, d2 text);
    INSERT INTO cu SELECT g, g % 20000, g % 43, g % 47, 'w' || (g % 53)
      FROM generate_series(1, 20000) g;
    ANALYZE ct, cu;
});

# 100 queries with $n over many columns: many candidates, a long selection
my @cols = map { "c$_" } 0 .. 8;
my @queries;
for my $i (0 .. 99)
{
    my ($a, $b) = ($cols[$i % 9], $cols[($i * 4 + 1) % 9]);
    push @queries,
        $i % 3 == 0 ? "SELECT * FROM ct WHERE $a = \$1 AND $b > \$2 ORDER BY id LIMIT 10"
      : $i % 3 == 1 ? "SELECT ct.id FROM ct JOIN cu ON cu.t_id = ct.id WHERE cu.d" . ($i % 2) . " = \$1 AND ct.$a = \$2"
      :               "SELECT count(*) FROM ct WHERE $a = \$1 AND c9 = \$2::text AND $b < $i";
}
my $advise = 'SELECT count(*) FROM idx_advise(ARRAY['
  . join(',', map { "'" . s/'/''/gr . "'" } @queries) . '], NULL, 100)';

my $checkpointer = $node->safe_psql('postgres',
    q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'});

# how long one whole run takes here (valgrind, a busy machine: scale to it)
my $t0 = time;
my $rows = $node->safe_psql('postgres', $advise);
my $run_ms = int((time - $t0) * 1000);
cmp_ok($rows, '>', 0, "idx_advise of 100 queries gives advice ($run_ms ms)");

# statement_timeout at 5 % .. 95 % of a run: parsing, costing, selection
my ($cancelled, $other) = (0, '');
for my $k (1 .. 14)
{
    my $ms = int($run_ms * (0.05 + 0.9 * (($k * 7) % 15) / 14)) + 1;
    my ($ret, $out, $err) = $node->psql('postgres',
        "SET statement_timeout = $ms; $advise");
    if ($err =~ /canceling statement due to statement timeout/)
    {
        $cancelled++;
    }
    elsif ($ret != 0)
    {
        $other .= "timeout $ms ms: $err\n";
    }
}
is($other, '', 'every timed-out run ended with the timeout\'s error, nothing else');
cmp_ok($cancelled, '>=', 7, "$cancelled of 14 runs were cut by statement_timeout");

# pg_cancel_backend from a second session at different moments
my ($landed, $bad) = (0, '');
for my $k (1 .. 5)
{
    my $bg = $node->background_psql('postgres', on_error_stop => 0);
    my $pid = $bg->query_safe('SELECT pg_backend_pid()');
    $bg->query_until(qr/started/, "\\echo started\n$advise;\n");
    # wait (bounded) until it runs, then cancel it part-way
    $node->poll_query_until('postgres',
        "SELECT state = 'active' FROM pg_stat_activity WHERE pid = $pid")
      or die "idx_advise did not start";
    usleep(int($run_ms * 1000 * $k / 6));
    $node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
    # the session survives its cancel and answers again
    my ($out) = $bg->query('SELECT 1');
    $out =~ s/^\d+\n//;           # the count, if idx_advise finished first
    $landed++ if $bg->{stderr} =~ /canceling statement due to user request/;
    # the cancel's error, with its CONTEXT when it landed inside an SPI
    # query (the advisor's duplicate check reads idx_history)
    (my $rest = $bg->{stderr}) =~
        s/^.*ERROR:  canceling statement due to user request\n?(?:(?:CONTEXT:  |PL\/pgSQL function |SQL statement |SQL function )[^\n]*\n?)*//m;
    $bad .= $rest;
    is($out, '1', "session $k answers after its cancel");
    $bg->quit;
}
is($bad, '', 'a cancelled run ends with the cancel\'s error, nothing else');
cmp_ok($landed, '>=', 3, "$landed of 5 runs were cancelled part-way");

# no backend died
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no backend was terminated by a signal');
is($node->safe_psql('postgres',
    q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'}),
   $checkpointer, 'the checkpointer is the same process: no crash restart');
is($node->safe_psql('postgres', 'SELECT count(*) FROM ct'), '20000',
   'the server answers');

$node->stop;
done_testing();
