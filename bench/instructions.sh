#!/usr/bin/env bash
# `npm run bench:instructions`: the two relative targets of issue 5, counted in instructions by
# callgrind instead of seconds, so they do not depend on what else the machine is doing:
#   - a first-seen HS256 verification, trpc-jwt against jose with an imported key;
#   - a tRPC call through fetchRequestHandler, authedProcedure against a public procedure.
# Each side runs at two sizes; the difference divided by the extra operations is the steady-state
# cost of one operation, free of start-up and warm-up. It takes about 12 minutes (valgrind runs
# node some 50 times slower); smaller windows are noisier, because a garbage collection or
# re-optimisation inside the window weighs more.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null node --import tsx bench/instructionsWorkload.ts "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# per_op <mode> <small> <large>: prints the instructions of one operation in steady state.
per_op() {
  local small large
  small=$(count "$1" "$2")
  large=$(count "$1" "$3")
  echo "$1: $small instructions for $2 operations, $large for $3: $(( (large - small) / ($3 - $2) )) per operation" >&2
  echo $(( (large - small) / ($3 - $2) ))
}
VERIFY_SMALL=${VERIFY_SMALL:-15000} VERIFY_LARGE=${VERIFY_LARGE:-30000}
CALL_SMALL=${CALL_SMALL:-5000} CALL_LARGE=${CALL_LARGE:-10000}
jose=$(per_op jose "$VERIFY_SMALL" "$VERIFY_LARGE")
ours=$(per_op trpc-jwt "$VERIFY_SMALL" "$VERIFY_LARGE")
public=$(per_op public "$CALL_SMALL" "$CALL_LARGE")
authed=$(per_op authed "$CALL_SMALL" "$CALL_LARGE")
node -e "console.log('trpc-jwt / jose: ' + ($ours / $jose).toFixed(3) + 'x the instructions per first-seen verification (target <= 1.11, i.e. within 10% of the speed)')"
node -e "console.log('authedProcedure / public procedure: ' + ($authed / $public).toFixed(3) + 'x the instructions per tRPC call (target <= 1.15)')"
