# Shared by the load scripts (sourced; defines functions only).

# bench_policy SRC AUDIT_FILE [PORT]: prints SRC with the audit going to AUDIT_FILE (an audit block
# put before SRC's `limits:` line, which every bench policy has) and, given PORT, listening on
# 127.0.0.1:PORT.
bench_policy() {
  local listen=""
  [[ -n "${3:-}" ]] && listen="; s|^listen: .*|listen: 127.0.0.1:$3|"
  sed "s|^limits:|audit:\n  file: $2\nlimits:|$listen" "$1"
}

# wait_listening ERR_FILE PID: waits until the proxy started as PID has written its "listening on"
# banner to ERR_FILE (90 s at most: a launcher may build the jar and its start-up archive first);
# returns 1, with the file on stderr, when the proxy exits or the time runs out first.
wait_listening() {
  for _ in $(seq 1 900); do
    grep -q "listening on" "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  cat "$1" >&2
  return 1
}
