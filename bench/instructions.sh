#!/usr/bin/env bash
# `npm run bench:instructions`: instructions per first-seen HS256 verification, trpc-jwt against
# jose with an imported key, counted by callgrind. Unlike seconds, instruction counts do not
# depend on what else the machine is doing. Each side runs at two sizes; the difference divided by
# the extra verifications is the steady-state cost, free of start-up and warm-up. It takes about
# 8 minutes (valgrind runs node some 50 times slower); smaller SMALL/LARGE windows are noisier,
# because a garbage collection or re-optimisation inside the window weighs more.
#
# `npm run bench:instructions -- sign`: instead, login (memoryStore) against authToken (no store),
# as `npm run bench -- sign` compares them (issue 26: login <= 2x authToken), for HS256 and ES256,
# under `node --single-threaded` (the collector's work counted on the one thread). Windows of
# 10,000 and 30,000 calls by default: about 12 minutes.
#
# `npm run bench:instructions -- guard [HS256|ES256] [first-seen|repeated]`: instead, a guarded
# tRPC call (bench/instructionsGuardWorkload.ts) by trpc-jwt without store against fast-jwt
# without cache, as bench:http serves them. Windows of 6,000 and 12,000 calls by default: a
# function called once per request is optimised by V8 only after a few thousand calls, and a
# window of 2,000 to 6,000 calls counted some 40,000 instructions per call of TurboFan compiling
# for trpc-jwt. The young generation is pinned at 16 MiB: left to V8, under callgrind (some 50
# times slower) it stayed small for trpc-jwt, which ran eight times the scavenges it runs natively
# (the same number as fast-jwt there): 12,000 instructions per call that no real server pays.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
if [ "${1:-}" = sign ]; then
  SMALL=${SMALL:-10000}
  LARGE=${LARGE:-30000}
  workload=$(node --import tsx -e 'import("./bench/bundled.ts").then((m) => m.bundled("bench/instructionsSignWorkload.ts")).then(console.log)')
  for alg in HS256 ES256; do
    declare -A per_call
    for mode in authToken login; do
      small=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null node --single-threaded "$workload" "$mode" "$alg" "$SMALL" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
      large=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null node --single-threaded "$workload" "$mode" "$alg" "$LARGE" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
      per_call[$mode]=$(( (large - small) / (LARGE - SMALL) ))
      echo "$alg $mode: $small instructions for $SMALL calls, $large for $LARGE: ${per_call[$mode]} per call"
    done
    node -e "console.log('$alg login / authToken: ' + (${per_call[login]} / ${per_call[authToken]}).toFixed(3) + 'x the instructions per call (target <= 2)')"
  done
  exit 0
fi
if [ "${1:-}" = guard ]; then
  SMALL=${SMALL:-6000}
  LARGE=${LARGE:-12000}
  alg=${2:-HS256}
  mode=${3:-first-seen}
  workload=$(node --import tsx -e 'import("./bench/bundled.ts").then((m) => m.bundled("bench/instructionsGuardWorkload.ts")).then(console.log)')
  for kind in trpc-jwt fast-jwt; do
    small=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null node --min-semi-space-size=16 --max-semi-space-size=16 "$workload" "$kind" "$alg" "$mode" "$SMALL" "$LARGE" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    large=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null node --min-semi-space-size=16 --max-semi-space-size=16 "$workload" "$kind" "$alg" "$mode" "$LARGE" "$LARGE" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    echo "$kind $alg $mode: $small instructions for $SMALL calls, $large for $LARGE: $(( (large - small) / (LARGE - SMALL) )) per call"
  done
  exit 0
fi
SMALL=${SMALL:-15000}
LARGE=${LARGE:-30000}
# Compiled as users run it (see bench/bundled.ts).
workload=$(node --import tsx -e 'import("./bench/bundled.ts").then((m) => m.bundled("bench/instructionsWorkload.ts")).then(console.log)')
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null node "$workload" "$1" "$2" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
declare -A per_op
for mode in jose trpc-jwt; do
  small=$(count "$mode" "$SMALL")
  large=$(count "$mode" "$LARGE")
  per_op[$mode]=$(( (large - small) / (LARGE - SMALL) ))
  echo "$mode: $small instructions for $SMALL verifications, $large for $LARGE: ${per_op[$mode]} per verification"
done
node -e "console.log('trpc-jwt / jose: ' + (${per_op[trpc-jwt]} / ${per_op[jose]}).toFixed(3) + 'x the instructions per first-seen verification (target <= 1.11, i.e. within 10% of the speed)')"
