#!/usr/bin/env bash
# scripts/house.sh [--list]
#
# The house rules of the C code, and of the SQL parts of the unreleased
# update, that a script can check (issue 23; doc/architecture.md "Names",
# /work/shared/STYLE.md habit 1):
#   - no C function over 100 lines (from its return type to its closing
#     brace, comments and blank lines included);
#   - no C file (.c or .h) over 800 lines, split along a seam instead;
#   - no SQL part of src/update/0.1--0.2/ over 800 lines either (a new part
#     named by subsystem instead; doc/architecture.md lists the parts);
#   - exported functions start with ia_ (SQL-callable ones with idx_, the
#     module's _PG_init), static ones never start with ia_ or idx_;
#   - a function whose name starts with idx_ is SQL-callable
#     (PG_FUNCTION_INFO_V1 in its file);
#   - one public header per folder: a file includes a header of another
#     folder of src/ only if it is that folder's ia_<folder>.h; a folder's
#     other headers are private to it and never named ia_* (doc/
#     architecture.md, "Where things live").
# A function definition is recognised as PostgreSQL's style writes it: the
# return type on one line, "name(" at the start of the next, "{" and "}"
# alone at the start of a line.
#
# Exceptions are listed below by name, each with the size it may not grow
# beyond and why; an exception that is no longer needed is reported too, so
# the list only shrinks.  --list prints every function's length (longest
# first) and every file's (C, then the SQL parts), and checks nothing.
# Exits 1 and says what is wrong.  Run by scripts/test.sh, as scripts/callgraph.sh is.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

FUNCTION_MAX=100
FILE_MAX=800
SQL_PART_MAX=800

# file, the most lines it may have, why.  Shrink only.
FILE_EXCEPTIONS='
'

files=$( { ls index_advisor.c; find src include -name '*.c' -o -name '*.h'; } | sort)
cfiles=$(printf '%s\n' $files | grep '\.c$')
sqlparts=$(ls src/update/0.1--0.2/*.sql)

# "lines file:line name", one per function definition
functions=$(for f in $cfiles; do
	awk -v F="$f" '
		/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); from = NR - 1 }
		/^\{/ { open = (name != "" && NR - from <= 12) }
		/^\}/ && open { print NR - from + 1, F ":" from + 1, name; open = 0; name = "" }
		/^\}/ { name = "" }' "$f"
done | sort -k1,1nr)

if [ "${1:-}" = "--list" ]; then
	printf '%s\n' "$functions"
	wc -l $files | sort -nr
	wc -l $sqlparts | sort -nr
	exit 0
fi

bad=""

long=$(printf '%s\n' "$functions" | awk -v M=$FUNCTION_MAX '$1 > M')
[ -z "$long" ] || bad="$bad$(printf '%s\n' "$long" |
	awk -v M=$FUNCTION_MAX '{print "  function " $3 " (" $2 ") has " $1 " lines, more than " M}')"$'\n'

for f in $files; do
	n=$(wc -l < "$f")
	allowed=$(printf '%s\n' "$FILE_EXCEPTIONS" | awk -v F="$f" '$1 == F {print $2}')
	if [ -n "$allowed" ]; then
		[ "$n" -le "$allowed" ] || bad="$bad  file $f has $n lines, more than its exception's $allowed"$'\n'
		[ "$n" -gt "$FILE_MAX" ] || bad="$bad  file $f has $n lines: drop its exception from scripts/house.sh"$'\n'
	elif [ "$n" -gt "$FILE_MAX" ]; then
		bad="$bad  file $f has $n lines, more than $FILE_MAX: split it along a seam"$'\n'
	fi
done

for f in $sqlparts; do
	n=$(wc -l < "$f")
	[ "$n" -le "$SQL_PART_MAX" ] ||
		bad="$bad  SQL part $f has $n lines, more than $SQL_PART_MAX: split it along a seam into parts named by subsystem (doc/architecture.md lists them)"$'\n'
done

# names: "file static|extern name" per definition
names=$(for f in $cfiles; do
	awk -v F="$f" '
		/^[A-Za-z_][A-Za-z0-9_]*\(/ && !/;[ \t]*$/ {
			n = $0; sub(/\(.*/, "", n)
			print F, (prev ~ /(^|[^A-Za-z_])static([^A-Za-z_]|$)/ ? "static" : "extern"), n
		}
		{ prev = $0 }' "$f"
done)
bad="$bad$(printf '%s\n' "$names" | awk '
	$2 == "extern" && $3 !~ /^(ia_|idx_|_PG_init$)/ { print "  exported function " $3 " (" $1 ") does not start with ia_" }
	$2 == "static" && $3 ~ /^(ia_|idx_)/ { print "  static function " $3 " (" $1 ") starts with " substr($3, 1, index($3, "_")) ": that prefix is for exported functions" }')"
[ -z "$bad" ] || bad="$bad"$'\n'
while read -r f kind n; do
	[ "$kind" = extern ] && [[ "$n" == idx_* ]] || continue
	grep -q "PG_FUNCTION_INFO_V1($n)" "$f" ||
		bad="$bad  function $n ($f) starts with idx_ but is not SQL-callable: name it ia_"$'\n'
done <<< "$names"

# headers: src/<folder>/ia_<folder>.h is the folder's one public header
declare -A header_dir
for h in $(printf '%s\n' $files | grep '^src/[^/]*/[^/]*\.h$'); do
	b=$(basename "$h")
	d=$(dirname "$h")
	header_dir[$b]=$d
	if [[ "$b" == ia_* ]] && [ "$b" != "ia_${d#src/}.h" ]; then
		bad="$bad  header $h is private to $d/ but named ia_*: only the folder's public ia_${d#src/}.h is"$'\n'
	fi
done
for f in $files; do
	fd=$(dirname "$f")
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		hd=${header_dir[$inc]:-}
		if [ -n "$hd" ] && [ "$hd" != "$fd" ] && [ "$inc" != "ia_${hd#src/}.h" ]; then
			bad="$bad  $f includes $inc, private to $hd/: include ia_${hd#src/}.h, the folder's public header"$'\n'
		fi
	done
done

if [ -n "$(printf '%s' "$bad" | tr -d '[:space:]')" ]; then
	printf 'house: the code breaks the house rules:\n%s' "$bad" | grep -v '^$' >&2
	exit 1
fi
echo "house: $(printf '%s\n' "$functions" | wc -l) functions, none over $FUNCTION_MAX lines (longest: $(printf '%s\n' "$functions" | head -1)); $(printf '%s\n' $files | wc -l) files, none over $FILE_MAX lines but the listed exceptions; $(printf '%s\n' $sqlparts | wc -l) SQL parts, none over $SQL_PART_MAX lines (longest: $(wc -l $sqlparts | sort -nr | sed -n 2p | awk '{print $1, $2}')); names follow the prefix rule; other folders' headers only through their ia_<folder>.h"
