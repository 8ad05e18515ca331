#!/bin/bash
# The DIMSE benchmark client's own ceiling: storescu sends a make-dataset.py dataset to DCMTK's
# storescp --ignore (receives and discards; with --fork for four associations, so they run side
# by side), on one association and on four, Nagle off on both ends. What no server can beat with this client on
# this machine; compare with bench/dimse_vs_orthanc.py's C-STORE figures.
#
#   bench/dimse_client_floor.sh [DATASET]      (default /tmp/bench-data)
set -euo pipefail
DATASET=${1:-/tmp/bench-data}
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
WORK=$(mktemp -d /tmp/arca-floor-XXXXXX)
SCP=
trap 'kill $SCP 2>/dev/null || true; rm -rf "$WORK"' EXIT
mapfile -t FILES < <(find "$DATASET" -name '*.dcm' | sort)
for k in 1 4; do
  fork=(); [ "$k" -gt 1 ] && fork=(--fork)
  TCP_NODELAY=1 storescp "${fork[@]}" --ignore -aet SINK "$PORT" >/dev/null 2>&1 &
  SCP=$!
  sleep 0.5
  rm -rf "${WORK:?}"/g*
  for i in "${!FILES[@]}"; do
    g=$((i % k)); mkdir -p "$WORK/g$g"; ln -s "${FILES[$i]}" "$WORK/g$g/$(printf %06d "$i").dcm"
  done
  start=$(date +%s.%N); pids=()
  for g in $(seq 0 $((k - 1))); do
    TCP_NODELAY=1 storescu -aet BENCHSCU -aec SINK +sd +sp '*.dcm' 127.0.0.1 "$PORT" "$WORK/g$g" &
    pids+=($!)
  done
  wait "${pids[@]}"
  end=$(date +%s.%N)
  echo "associations=$k instances=${#FILES[@]} $(echo "${#FILES[@]} / ($end - $start)" | bc -l | cut -c1-7) inst/s"
  kill "$SCP"; wait "$SCP" 2>/dev/null || true
done
