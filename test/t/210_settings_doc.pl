# doc/settings.md names every setting of index_advisor, nothing else, each
# with the context the server reports.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $doc = slurp_file('doc/settings.md');
my %doc_context;
for my $line (split /\n/, $doc)
{
    next unless $line =~ /^\| `(?:index_advisor)?\./ || $line =~ /^\| `index_advisor\./;
    my @cells = split /\s*\|\s*/, $line;
    my ($names, $context) = ($cells[1], $cells[3]);
    # "`index_advisor.a`, `.b`" or "`index_advisor.a` / `b`" or "`x`, `y`"
    for my $n ($names =~ /`([^`]+)`/g)
    {
        $n =~ s/^\.//;
        $n = "index_advisor.$n" unless $n =~ /^index_advisor\./;
        $doc_context{$n} = $context;
    }
}
ok(scalar(keys %doc_context) >= 20, scalar(keys %doc_context) . ' settings named in doc/settings.md');

my $node = PostgreSQL::Test::Cluster->new('settings');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'index_advisor'\n");
$node->start;
my %server = map { split /\|/ } split /\n/, $node->safe_psql('postgres',
    q{SELECT name, context FROM pg_settings WHERE name LIKE 'index\_advisor.%'});
my %word = (user => 'user', superuser => 'superuser', sighup => 'sighup');

for my $name (sort keys %server)
{
    ok(exists $doc_context{$name}, "$name is in doc/settings.md");
    is($doc_context{$name}, $word{$server{$name}} // $server{$name}, "$name: context")
        if exists $doc_context{$name};
}
for my $name (sort keys %doc_context)
{
    ok(exists $server{$name}, "doc/settings.md's $name is a setting");
}
$node->stop;
done_testing();
