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
# SQL part of src/update/0.1--0.2/ and every top-level folder; and that
# the "calls" column and the layers of doc/architecture.md, and the layers
# of index_advisor.h, are those this graph gives.  Prints the files in an order
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
for d in $(git -c safe.directory='*' ls-files 2>/dev/null | sed -n 's|^\([^/]*\)/.*|\1|p' | sort -u); do
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

# doc/architecture.md's "calls" column and its layers table (and the layers
# of index_advisor.h's map) say what the
# code does: each file's callees, and its layer (0 for a file that calls
# none, else one more than its highest callee), both derived here.
if [ -z "${1:-}" ]; then
	derived=$( { printf '%s\n' "$edges" | sed 's|src/||g' | awk '{print "E", $1, $2}'
		printf '%s\n' "$out" | sed 's|src/||g' | awk '{print "O", $1}'; } |
		awk '$1 == "E" && $2 != $3 { calls[$2] = calls[$2] " " $3 }
			 $1 == "O" { order[++n] = $2 }
			 END {
				# tsort lists callers first: layers from the end
				for (i = n; i >= 1; i--) {
					f = order[i]; l = 0
					m = split(calls[f], c, " ")
					for (j = 1; j <= m; j++)
						if (layer[c[j]] + 1 > l) l = layer[c[j]] + 1
					layer[f] = l
					print "layer", f, l
					print "calls", f, (m ? calls[f] : "-")
				}
			 }')
	documented=$(awk -F'|' '
		/^\| [a-z_\/]+\.c \|/ {
			f = $2; gsub(/ /, "", f); c = $(NF - 1); gsub(/,/, " ", c)
			gsub(/—/, "-", c); print "calls", f, c
		}
		/^\| [0-9]+ \| / {
			l = $2; gsub(/ /, "", l); n = split($3, fs, ",")
			for (i = 1; i <= n; i++) { g = fs[i]; gsub(/ /, "", g); print "layer", g, l }
		}' doc/architecture.md)
	# include/index_advisor.h's layers, by file name ("N  a.c b.c", then
	# continuation lines of names only)
	documented="$documented
$(awk '/^ \* Layers, each calling/ { on = 1; next }
		on && /^ \*[ \t]*$/ { if (seen) on = 0; next }
		on {
			line = $0; sub(/^ \*[ \t]*/, "", line); n = split(line, w, " ")
			i = 1; if (w[1] ~ /^[0-9]+$/) { l = w[1]; i = 2 }
			for (; i <= n; i++) { print "hlayer", w[i], l; seen = 1 }
		}' include/index_advisor.h)"
	derived="$derived
$(printf '%s\n' "$derived" | awk '$1 == "layer" { n = split($2, p, "/"); print "hlayer", p[n], $3 }')"
	norm() { while read -r kind f rest; do
			echo "$kind $f" $(printf '%s\n' $rest | sort)
		done | sort; }
	if ! diff=$(diff <(printf '%s\n' "$documented" | norm) <(printf '%s\n' "$derived" | norm)); then
		echo "callgraph: the maps' calls or layers differ from the code (< the map, > the code; hlayer: include/index_advisor.h):" >&2
		printf '%s\n' "$diff" | grep '^[<>]' >&2
		exit 1
	fi
fi
printf '%s\n' "$out"
