#!/usr/bin/env bash
# Same-run A/B of egressguard builds beside Squid: each proxy started fresh on its own loopback port
# with the bench policy (or another), audit to its own file, admin off; then ../shared/bench/run.sh
# with all of them, so every ratio to Squid comes from one run (run-to-run noise on this 2-core
# machine is ±10-20 %). What it starts it stops by PID.
#   EGRESSGUARD_AB="old=java -XX:+UseParallelGC -jar /tmp/old/cli/target/egressguard.jar;new=bin/egressguard" \
#     bench/load/ab.sh --only ka-1k,tunnel-rate,close-1k --only squid,old,new
#   EGRESSGUARD_AB="plain=bin/egressguard;identity=bin/egressguard@bench/load/policy-identity.yaml" \
#     bench/load/ab.sh --only ka-1k,tunnel-rate --only squid,plain,identity --rounds 5
# Each entry is NAME=COMMAND[@POLICY]; COMMAND is run as `COMMAND proxy --policy ... --admin-listen off`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${EGRESSGUARD_SHARED:-$root/../shared}"
source "$here/lib.sh"
tmp="$(mktemp -d /tmp/egressguard-ab.XXXXXX)"
pids=() proxies=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait; echo "logs in $tmp" >&2' EXIT
port=13131
IFS=';' read -r -a entries <<< "${EGRESSGUARD_AB:?set EGRESSGUARD_AB (see the header)}"
for entry in "${entries[@]}"; do
  name="${entry%%=*}" spec="${entry#*=}"
  policy="$here/policy.yaml" cmd="$spec"
  if [[ $spec == *@* ]]; then policy="${spec##*@}" cmd="${spec%@*}"; fi
  bench_policy "$policy" "$tmp/$name.jsonl" "$port" > "$tmp/$name.yaml"
  # shellcheck disable=SC2086
  (cd "$root" && exec $cmd proxy --policy "$tmp/$name.yaml" --admin-listen off) 2> "$tmp/$name.err" &
  pids+=($!)
  wait_listening "$tmp/$name.err" "${pids[-1]}" || exit 1
  proxies+=(--proxy "$name=127.0.0.1:$port")
  port=$((port + 1))
done
"$shared/bench/run.sh" "${proxies[@]}" --label "egressguard A/B $(git -C "$root" rev-parse --short HEAD)" "$@"
