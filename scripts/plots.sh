#!/usr/bin/env bash
# plots.sh — re-draw every figure from its saved data and gnuplot script, without training.
#
# Usage: scripts/plots.sh [folder]   (default: figures)
# Each figures/**/name.gp is run in its own folder (its paths are relative to it). gnuplot writes to
# a temporary file that is renamed over name.png only on success, so a failed re-draw keeps the old
# picture. Exits non-zero if any script fails, after trying them all.
set -euo pipefail

root=${1:-figures}
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "gnuplot not found: install the Debian package gnuplot-nox (apt-get install gnuplot-nox)" >&2
    exit 1
fi
if [ ! -d "$root" ]; then
    echo "plots: no folder $root (run a chapter first: make chapterN)" >&2
    exit 1
fi

drawn=0
failed=0
while IFS= read -r -d '' script; do
    folder=$(dirname "$script")
    name=$(basename "$script" .gp)
    temporary=".$name.png.tmp-$$"
    if (cd "$folder" && gnuplot -e "outfile='$temporary'" "$name.gp" && mv -f "$temporary" "$name.png"); then
        drawn=$((drawn + 1))
    else
        echo "plots: gnuplot failed on $script" >&2
        rm -f "$folder/$temporary"
        failed=$((failed + 1))
    fi
done < <(find "$root" -name '*.gp' -type f -print0 | sort -z)

echo "plots: re-drew $drawn figure(s) under $root${failed:+, $failed failed}" | sed 's/, 0 failed//'
[ "$failed" -eq 0 ]
