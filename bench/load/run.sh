#!/usr/bin/env bash
# Runs ../shared/bench/run.sh with egressguard beside Squid, tinyproxy and the direct path.
# egressguard is started fresh (run.sh's note on idle RSS), audits to a file in a temp dir, and is
# stopped by PID at the end. Extra arguments go to run.sh (e.g. --pin, --only ka-1k).
# --cold-start adds, after the shared run, coldstart.sh's table (a fresh egressguard and a fresh Squid:
# start to listening, req/s in the first 5 s, RSS idle, after the load and after 30 s of rest);
# --cold-start-only runs that table alone.
#   bench/load/run.sh --out bench/results/egressguard-$(date +%F).json --cold-start
set -euo pipefail

cold=0 args=()
for a in "$@"; do
  case "$a" in
    --cold-start) cold=1 ;;
    --cold-start-only) cold=2 ;;
    *) args+=("$a") ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${EGRESSGUARD_SHARED:-$root/../shared}"
if [[ $cold == 2 ]]; then exec "$here/coldstart.sh"; fi
tmp="$(mktemp -d /tmp/egressguard-bench.XXXXXX)"
policy="${EGRESSGUARD_BENCH_POLICY:-$here/policy.yaml}"   # e.g. bench/load/policy-identity.yaml
source "$here/lib.sh"
bench_policy "$policy" "$tmp/audit.jsonl" > "$tmp/policy.yaml"
"$root/bin/egressguard" proxy --policy "$tmp/policy.yaml" 2> "$tmp/proxy.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; echo "audit lines: $(wc -l < "$tmp/audit.jsonl" 2>/dev/null || echo 0); logs in $tmp" >&2' EXIT
wait_listening "$tmp/proxy.err" "$pid" || exit 1
cat "$tmp/proxy.err" >&2
"$shared/bench/run.sh" --proxy egressguard=127.0.0.1:13130 --label "egressguard $(git -C "$root" rev-parse --short HEAD)" ${args[@]+"${args[@]}"}
if [[ $cold == 1 ]]; then
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true  # frees 13130 for a fresh proxy
  for _ in $(seq 100); do ss -Hltn "sport = :18080" | grep -q . || break; sleep 0.1; done
  "$here/coldstart.sh"
fi
