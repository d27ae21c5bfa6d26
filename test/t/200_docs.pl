# Every SQL example of README.md and doc/*.md runs, and the output a doc
# shows is the output it gets.  The convention is in doc/testing.md
# ("Examples in the docs"); in short:
#
# - Files: README.md and every doc/*.md, found by this test.  Each runs in
#   a fresh database doc_<file name> (README.md: doc_readme, the only one
#   with pg_cron), with the extension created first unless the file's
#   first ```sql block creates it; roles are cluster-wide, name them after
#   the file.  DOC_TEST_FILES="README.md doc/x.md" limits the run.
# - One psql session per file (psql -X -q, SHOW_CONTEXT never) runs the
#   ```sql blocks in order, as a reader would paste them.
# - A ```text block right after a ```sql block (only blank lines between)
#   is that block's output, compared after normalisation; a ```sql block
#   without one must not raise an ERROR.
# - <!-- doc-test: skip REASON --> before a ```sql block skips it (a reason
#   is required).  <!-- doc-test: setup WHAT FOR, then SQL lines, then -->
#   runs SQL the reader does not see (it must not raise an ERROR).
# - A plain ``` or ```text block that is no block's output must not hold
#   a statement (a line that starts with SELECT, CALL, CREATE, ... or a
#   psql prompt, and has a ";"): tag it ```sql, or mark it skip.
#
# Normalisation, on both sides: trailing blanks and blank lines at the end
# go; runs of blanks become one blank and runs of dashes "--" (column
# widths do not matter); costs "(cost=... rows=... width=...)", times
# (00:00:00.255, 12 ms, 1.6 s), dates, pids ("pid 48213") and sizes
# ("14 MB", "8192 bytes") are masked.  In the doc's output, "..." matches
# any text within a line, and a line of only "..." any number of lines.
use strict;
use warnings;
use File::Basename;
use File::Spec;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = File::Spec->rel2abs(dirname(__FILE__) . '/../..');
my @files = grep { -f $_ } ("$root/README.md", sort glob("$root/doc/*.md"));
# DOC_TEST_FILES="README.md doc/limits.md": only those (while writing a doc)
@files = map { "$root/$_" } split(' ', $ENV{DOC_TEST_FILES}) if $ENV{DOC_TEST_FILES};

my $node = PostgreSQL::Test::Cluster->new('docs');
$node->init;
# pg_cron's jobs live in one database: README.md's (its first example
# schedules idx_check); other files skip their pg_cron examples.
$node->append_conf('postgresql.conf', qq{
max_worker_processes = 16
shared_preload_libraries = 'pg_cron'
cron.database_name = 'doc_readme'
});
$node->start;
# Files marked "<!-- doc-test: preloaded -->" (README.md, doc/hidden.md: they
# hide indexes) run on a second server with index_advisor preloaded too;
# the others show what a server without it does.
my $preloaded = PostgreSQL::Test::Cluster->new('docs_preloaded');
$preloaded->init;
$preloaded->append_conf('postgresql.conf', qq{
max_worker_processes = 16
shared_preload_libraries = 'pg_cron,index_advisor'
cron.database_name = 'doc_readme'
});
$preloaded->start;

my $sql_start = qr/^(?:SELECT|CALL|CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|SET|RESET|GRANT|REVOKE|BEGIN|COMMIT|EXPLAIN|TRUNCATE|VACUUM|ANALYZE|\\[a-z]|[a-z_]*=[#>] )/;

# A doc's blocks: {kind => sql|setup, sql, output (or undef), skip, line}.
sub parse_doc
{
    my ($file) = @_;
    open(my $fh, '<', $file) or die "$file: $!";
    my @lines = <$fh>;
    close $fh;
    my (@blocks, @problems);
    my $pending_skip;
    my $last_sql;            # the last sql block, while only blanks follow
    for (my $i = 0; $i < @lines; $i++)
    {
        my $line = $lines[$i];
        if ($line =~ /^\s*<!--\s*doc-test:\s*skip\b\s*(.*?)\s*(?:-->)?\s*$/)
        {
            my $reason = $1;
            $reason =~ s/^[-\x{2014}:\s]+//;
            push @problems, "line " . ($i + 1) . ": doc-test skip without a reason"
              if $reason eq '' || $reason eq '-->';
            $pending_skip = $reason;
            next;
        }
        if ($line =~ /^\s*<!--\s*doc-test:\s*setup\b(.*)$/)
        {
            # the rest of the line says what it is for; the SQL follows
            my $start = $i + 1;
            my $sql = '';
            while ($sql !~ /-->/ && ++$i < @lines) { $sql .= $lines[$i]; }
            $sql =~ s/-->.*//s;
            push @blocks, { kind => 'setup', sql => $sql, line => $start };
            undef $last_sql;
            next;
        }
        if ($line =~ /^(\s*)```(\w*)\s*$/)
        {
            # a block may be indented (in a list item): its lines too
            my ($indent, $lang, $start) = (length($1), $2, $i + 1);
            my $body = '';
            while (++$i < @lines && $lines[$i] !~ /^\s*```\s*$/)
            {
                (my $l = $lines[$i]) =~ s/^ {0,$indent}//;
                $body .= $l;
            }
            if ($lang eq 'sql')
            {
                my $b = { kind => 'sql', sql => $body, line => $start, skip => $pending_skip };
                push @blocks, $b;
                $last_sql = $b;
            }
            elsif ($lang eq 'text' && $last_sql)
            {
                $last_sql->{output} = $body;
                undef $last_sql;
            }
            else
            {
                push @problems, "line $start: a ```$lang block holds SQL that no test runs (tag it ```sql, or mark it <!-- doc-test: skip REASON -->)"
                  if $lang =~ /^(?:text)?$/ && grep { /$sql_start.*;/ } split /\n/, $body;
                push @problems, "line $start: doc-test skip before a ```$lang block (only ```sql blocks are run)"
                  if defined $pending_skip;
                undef $last_sql;
            }
            undef $pending_skip;
            next;
        }
        undef $last_sql if $line =~ /\S/;
    }
    return (\@blocks, \@problems);
}

sub normalise
{
    my ($text) = @_;
    $text =~ s/\(cost=[\d.]+\.\.[\d.]+ rows=\d+ width=\d+\)/(cost=<cost>)/g;
    $text =~ s/\b\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d(?::\d\d)?)?)?/<date>/g;
    $text =~ s/\b\d+:\d\d:\d\d(?:\.\d+)?/<time>/g;
    $text =~ s/\b\d+(?:\.\d+)? ?(?:ms|s)\b/<time>/g;
    $text =~ s/\b\d+(?:\.\d+)? ?(?:bytes|kB|MB|GB|TB)\b/<size>/g;
    $text =~ s/\bpid \d+/pid <pid>/g;
    $text =~ s/-{2,}/--/g;
    $text =~ s/[ \t]+/ /g;
    $text =~ s/ +$//mg;
    $text =~ s/ \+$/+/mg;    # psql's wrap mark, after a column padded or not
    $text =~ s/^\n+//;
    $text =~ s/\s+$//;
    return $text;
}

# Whether the (normalised) output matches the doc's (normalised) output:
# "..." is any text within a line, a line of "..." any number of lines.
sub matches
{
    my ($got, $want) = @_;
    my $re = '';
    foreach my $line (split /\n/, $want, -1)
    {
        $re .= $line eq '...' ? '(?:[^\n]*\n)*?'
          : join('[^\n]*?', map { quotemeta } split(/\.\.\./, $line, -1)) . '\n';
    }
    return "$got\n" =~ /\A$re\z/;
}

foreach my $file (@files)
{
    my $name = File::Spec->abs2rel($file, $root);
    my ($blocks, $problems) = parse_doc($file);
    ok(!@$problems, "$name: examples are marked") or diag(join("\n", @$problems));
    my @run = grep { !$_->{skip} } @$blocks;
    my $skipped = grep { $_->{skip} } @$blocks;
    unless (@run)
    {
        diag("$name: 0 sql blocks ran, $skipped skipped");
        next;
    }

    my $node = slurp_file($file) =~ /<!-- doc-test: preloaded -->/ ? $preloaded : $node;
    # README.md -> doc_readme, doc/safety-planning.md -> doc_safety_planning
    (my $db = 'doc_' . lc(basename($file, '.md'))) =~ s/[^a-z0-9_]/_/g;
    $node->safe_psql('postgres', "CREATE DATABASE $db");
    my $first = (grep { $_->{kind} eq 'sql' && !$_->{skip} } @$blocks)[0];
    $node->safe_psql($db, 'CREATE EXTENSION index_advisor')
      unless $first && $first->{sql} =~ /CREATE EXTENSION\s+(?:IF NOT EXISTS\s+)?index_advisor/i;

    my $script = "\\set SHOW_CONTEXT never\n";
    for my $n (0 .. $#run)
    {
        $script .= "\\echo '\@\@doc-test\@\@ $n'\n$run[$n]{sql}\n";
    }
    $script .= "\\echo '\@\@doc-test\@\@ end'\n";
    my $out = '';
    IPC::Run::run([ $node->installed_command('psql'), '-X', '-q', '-d', $node->connstr($db) ],
                  '<', \$script, '>&', \$out, IPC::Run::timeout(300));
    my %outputs;
    my $cur;
    foreach my $line (split /\n/, $out)
    {
        if ($line =~ /^\@\@doc-test\@\@ (\d+|end)$/) { $cur = $1; next; }
        $outputs{$cur} .= "$line\n" if defined $cur;
    }
    ok(defined $cur && $cur eq 'end', "$name: the session ran to the end")
      or diag("psql output:\n$out");

    my $compared = 0;
    for my $n (0 .. $#run)
    {
        my $b = $run[$n];
        my $got = $outputs{$n} // '';
        my $where = "$name line $b->{line}";
        if (defined $b->{output})
        {
            $compared++;
            my ($g, $w) = (normalise($got), normalise($b->{output}));
            ok(matches($g, $w), "$where: output as shown")
              or diag("--- the doc shows (normalised):\n$w\n--- psql printed (normalised):\n$g\n--- psql printed:\n$got");
        }
        else
        {
            ok($got !~ /^(?:ERROR|FATAL|PANIC):|^invalid command|^\\[a-z]+: /m,
               "$where: runs without error")
              or diag("psql printed:\n$got");
        }
    }
    my $nsql = grep { $_->{kind} eq 'sql' } @run;
    diag(sprintf("%s: %d sql blocks ran (%d outputs compared), %d hidden setup, %d skipped",
                 $name, $nsql, $compared, @run - $nsql, $skipped));
}

$node->stop;
$preloaded->stop;
done_testing();
