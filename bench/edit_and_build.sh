#!/bin/bash
# `kg validate` and `kg build` after one edit, on a synthetic project (bench/synth.py):
#   python bench/synth.py --scale 1000 DIR && bash bench/edit_and_build.sh DIR
# 1. kg validate twice (the first writes the state), then one label edited before each of
#    three runs; 2. two interleaved rounds of one-stream `oxigraph load`, `kg build
#    --no-validate` into a new store, and `kg build` after one edit (validated from the state).
# Wall seconds and the 1-minute load average after each run. Needs kg and oxigraph on PATH.
set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
DIR=$(cd "$1" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$DIR"
export KG_PROGRESS=0
FILE=$(ls data/projects/*.ttl | head -1)
edit() { sed -i "0,/rdfs:label \"\([^\"]*\)\"@en/s//rdfs:label \"\1 $1\"@en/" "$FILE"; }
timed() {
  local start end
  start=$(date +%s.%N); "$@" >"$WORK/out" 2>&1; end=$(date +%s.%N)
  printf '%8.2f s  load %s  %s\n' "$(echo "$end - $start" | bc)" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$(grep -E 'checked again|from the state' "$WORK/out" | head -1 | cut -c1-110)"
}
echo "first kg validate (writes the state):"; timed kg validate
echo "nothing changed:"; timed kg validate
for i in 1 2 3; do edit "e$i"; echo "one file edited ($i):"; timed kg validate; done
python - "$BENCH" "$WORK/stream.ttl" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from run import one_stream  # bench/run.py's baseline input, the same bytes
from kg.sources import GRAPH_PARTS
from kg.sources.project import find_project
one_stream([s.path for s in find_project(".").sources(GRAPH_PARTS)], Path(sys.argv[2]))
PY
for round in 1 2; do
  rm -rf "$WORK/oxigraph"; echo "one-stream oxigraph load ($round):"
  timed oxigraph load --location "$WORK/oxigraph" --file "$WORK/stream.ttl"
  rm -rf "$WORK/store"; echo "kg build --no-validate ($round):"
  timed kg build --store "$WORK/store" --no-validate
  edit "b$round"; echo "kg build after one edit ($round):"; timed kg build
done
