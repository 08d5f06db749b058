#!/usr/bin/env bash
# Cold start and memory: for a freshly started egressguard (and Squid, when installed), the time from
# launch to listening, the RSS idle, the req/s of keep-alive 1 KiB GETs (wrk, 50 connections) in the
# first --load seconds after the listener opens, the RSS right after that load and after --idle
# seconds of rest. Loopback only; every step is bounded in time; what it starts it stops by PID.
#   bench/load/coldstart.sh [--load 5] [--idle 30] [--only egressguard,squid] [--out FILE.json]
# Needs the origin port 18080 and 13128/13130 free (run it when no harness run is under way).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/lib.sh"
root="$(cd "$here/../.." && pwd)"
shared="${EGRESSGUARD_SHARED:-$root/../shared}"
load=5 idle=30 only="egressguard,squid" out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --load) load="$2"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "coldstart.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
port_busy() { ss -Hltn "sport = :$1" | grep -q .; }
for p in 18080 13128 13130; do
  if port_busy "$p"; then echo "coldstart.sh: 127.0.0.1:$p is in use (a harness run under way?)" >&2; exit 2; fi
done
tmp="$(mktemp -d /tmp/egressguard-cold.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/www" "$tmp/nginx-tmp" "$tmp/squid"
head -c 1024 /dev/urandom > "$tmp/www/1k"
chmod -R a+rX "$tmp"
sed "s#@RUN@#$tmp#g" "$shared/bench/conf/nginx.conf" > "$tmp/nginx.conf"
nginx -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" > "$tmp/nginx.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do port_busy 18080 && break; sleep 0.1; done

now_ms() { date +%s%3N; }
rss_kib() {  # RSS of a process and its children, KiB
  local total=0 p
  for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    total=$((total + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
wrk_rps() {  # keep-alive 1 KiB GETs through 127.0.0.1:$1 for $load s; prints req/s
  BENCH_PATH="http://127.0.0.1:18080/1k" BENCH_HOST="127.0.0.1:18080" BENCH_CLOSE=0 BENCH_JSON="$tmp/wrk.json" \
    timeout $((load + 10)) wrk -t1 -c50 -d"${load}s" --timeout 5s -s "$shared/bench/lib/wrk-proxy.lua" "http://127.0.0.1:$1" > "$tmp/wrk.out" 2>&1 || true
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.0f %.2f" % (r["requests"]/(r["duration_us"]/1e6), r["latency_us"]["p99"]/1000))' "$tmp/wrk.json" 2>/dev/null || echo "0 0"
}

rows=()
measure() {  # name port pid start_ms ready_cmd
  local name="$1" port="$2" pid="$3" start="$4" ready="$5" listening=""
  for _ in $(seq 3000); do  # 30 s at most
    if eval "$ready"; then listening=$(now_ms); break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  if [[ -z "$listening" ]]; then echo "coldstart.sh: $name did not start; logs in $tmp" >&2; trap - EXIT; exit 1; fi
  local rss_idle rps_p99 rss_after rss_rest
  rss_idle=$(rss_kib "$pid")
  rps_p99=$(wrk_rps "$port")
  rss_after=$(rss_kib "$pid")
  sleep "$idle"
  rss_rest=$(rss_kib "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  rows+=("$name $((listening - start)) ${rps_p99% *} ${rps_p99#* } $rss_idle $rss_after $rss_rest")
}

if [[ ",$only," == *,egressguard,* ]]; then
  bench_policy "${EGRESSGUARD_BENCH_POLICY:-$here/policy.yaml}" "$tmp/audit.jsonl" > "$tmp/policy.yaml"
  "$root/bin/egressguard" proxy --policy "$tmp/policy.yaml" --help > /dev/null 2>&1 || true  # builds the jar if needed, outside the timing
  start=$(now_ms)
  "$root/bin/egressguard" proxy --policy "$tmp/policy.yaml" 2> "$tmp/proxy.err" &
  pids+=($!)
  measure egressguard 13130 "$!" "$start" 'grep -q "listening on" "$tmp/proxy.err"'
fi
if [[ ",$only," == *,squid,* ]] && command -v squid > /dev/null; then
  sed "s#@RUN@#$tmp#g" "$shared/bench/conf/squid.conf" > "$tmp/squid.conf"
  chown proxy:proxy "$tmp/squid" 2>/dev/null || chmod 777 "$tmp/squid"
  start=$(now_ms)
  squid -N -f "$tmp/squid.conf" > "$tmp/squid.out" 2>&1 &
  pids+=($!)
  measure squid 13128 "$!" "$start" 'port_busy 13128'
fi

printf '\n%-12s %10s %14s %12s %12s %14s %14s\n' proxy "start ms" "req/s first${load}s" "p99 ms" "RSS idle MiB" "RSS after MiB" "RSS +${idle}s MiB"
for r in "${rows[@]}"; do
  read -r n st rps p99 ri ra rr <<< "$r"
  printf '%-12s %10s %14s %12s %12.1f %14.1f %14.1f\n' "$n" "$st" "$rps" "$p99" "$(echo "$ri/1024" | bc -l)" "$(echo "$ra/1024" | bc -l)" "$(echo "$rr/1024" | bc -l)"
done
if [[ -n "$out" ]]; then
  printf '%s\n' "${rows[@]}" | python3 -c '
import json, sys
keys = ["start_to_listening_ms", "cold_req_s", "cold_p99_ms", "rss_idle_kib", "rss_after_kib", "rss_rested_kib"]
rows = {}
for line in sys.stdin:
    f = line.split()
    rows[f[0]] = dict(zip(keys, [float(x) for x in f[1:]]))
json.dump({"load_s": float(sys.argv[2]), "idle_s": float(sys.argv[3]), "proxies": rows}, open(sys.argv[1], "w"), indent=1)
' "$out" "$load" "$idle"
fi
