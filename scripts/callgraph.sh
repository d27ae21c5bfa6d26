#!/usr/bin/env bash
# scripts/callgraph.sh [--edges | --order]
#
# The file-level call graph of the C code, checked for cycles with tsort(1).
# An edge "a.c -> b.c" is drawn when a.c calls an exported function (ia_*)
# that b.c defines; a file's own functions and static ones draw no edge.
# The layering of doc/architecture.md (a file calls only files below it)
# holds exactly when this graph has no cycle.  It also checks that both
# maps (doc/architecture.md, the header of include/index_advisor.h) name
# every C file, header and folder, and that doc/architecture.md names every
# SQL part of src/update/0.1--0.2/ and every top-level folder.  Prints the files in an order
# where each calls only files after it (--edges: the edges instead; with
# either option the maps are not checked); exits 1 and names the loop when
# there is a cycle.  Run by scripts/test.sh.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

files=$( { ls index_advisor.c; find src -name '*.c'; } | sort)

# name -> defining file: a definition starts a line ("ia_x(") and the
# line before it (its return type) does not say static.
defs=$(for f in $files; do
	awk -v F="$f" '
		/^ia_[a-z0-9_]*\(/ && prev !~ /static/ && prev !~ /;[ \t]*$/ {
			n = $0; sub(/\(.*/, "", n); print n, F
		}
		{ prev = $0 }' "$f"
done | sort -u)

# duplicates in defs would make an edge ambiguous: refuse them
dup=$(printf '%s\n' "$defs" | awk '{print $1}' | uniq -d)
if [ -n "$dup" ]; then
	echo "callgraph: defined in more than one file: $dup" >&2
	exit 1
fi

edges=$(for f in $files; do
	# calls: ia_name( not at the start of a line (a definition), comments
	# stripped roughly (lines starting with * or /*)
	grep -v '^[[:space:]]*\(\*\|/\*\)' "$f" | grep -o '[^A-Za-z0-9_]ia_[a-z0-9_]*[[:space:]]*(' |
		sed 's/^.//; s/[[:space:]]*($//' | sort -u |
		join - <(printf '%s\n' "$defs") | awk -v F="$f" '$2 != F {print F, $2}'
	echo "$f $f"	# every file is in the order, called or not
done | sort -u)

missing=""
headers=$(find src include -name '*.h' | sort)
for f in $files $headers; do
	p=$(basename "$f")
	d=$(dirname "$f")
	for map in doc/architecture.md include/index_advisor.h; do
		grep -qs -- "\b$p\b" "$map" || missing="$missing  $map does not name $f"$'\n'
		[ "$d" = . ] || grep -qs -- "$d/" "$map" || missing="$missing  $map does not name $d/"$'\n'
	done
done
# every top-level folder the repository has, in the architecture map
for d in $(git ls-files 2>/dev/null | sed -n 's|^\([^/]*\)/.*|\1|p' | sort -u); do
	grep -qs -- "\`$d/" doc/architecture.md ||
		missing="$missing  doc/architecture.md does not name the folder $d/"$'\n'
done
# the parts of the unreleased update script, by name, in the architecture map
for f in src/update/0.1--0.2/*.sql; do
	p=$(basename "$f" .sql)
	grep -qs -- "\b$p\b" doc/architecture.md ||
		missing="$missing  doc/architecture.md does not name the SQL part $p"$'\n'
done
if [ -n "$missing" ] && [ -z "${1:-}" ]; then
	echo "callgraph: the maps miss files:" >&2
	printf '%s' "$missing" | sort -u >&2
	exit 1
fi

if [ "${1:-}" = "--edges" ]; then
	printf '%s\n' "$edges" | awk '$1 != $2 {print $1, "->", $2}'
	exit 0
fi
if ! out=$(printf '%s\n' "$edges" | tsort 2>&1); then
	echo "callgraph: the file-level call graph has a cycle (a file calls back up):" >&2
	printf '%s\n' "$out" | grep -i 'tsort' >&2
	exit 1
fi
printf '%s\n' "$out"
