#!/bin/bash
# Per-request costs that a busy machine does not blur (the harness's req/s do): for a jar, the
# audit writer's wake-ups while idle, the heap allocated per keep-alive 1 KiB request (eden growth
# over a 2 s wrk run with no young GC in it) and the system calls per request (strace -c -f).
# Loopback only, bounded in time; needs ports 18080, 13130 and 9090 free, root (strace), JDK tools.
#   bench/load/per-request.sh cli/target/egressguard.jar now
set -u
JAR=$1; LABEL=${2:-egressguard}; here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; S="${EGRESSGUARD_SHARED:-$here/../../../shared}/bench"
T=$(mktemp -d /tmp/p14-per.XXXX); mkdir -p $T/www $T/nginx-tmp; head -c 1024 /dev/urandom > $T/www/1k; chmod -R a+rX $T
sed "s#@RUN@#$T#g" $S/conf/nginx.conf > $T/nginx.conf
nginx -c $T/nginx.conf -e $T/nginx-error.log > /dev/null 2>&1 & NG=$!
source "$here/lib.sh"
bench_policy "$here/policy.yaml" "$T/audit.jsonl" > $T/policy.yaml
java -XX:+UseParallelGC -Xmn512m -jar $JAR proxy --policy $T/policy.yaml 2> $T/proxy.err & PX=$!
for i in $(seq 150); do grep -q "listening on" $T/proxy.err && break; sleep 0.1; done
wrkrun() { BENCH_PATH="http://127.0.0.1:18080/1k" BENCH_HOST="127.0.0.1:18080" BENCH_CLOSE=$2 BENCH_JSON=$T/w.json timeout 20 wrk -t1 -c50 -d${1}s --timeout 5s -s $S/lib/wrk-proxy.lua http://127.0.0.1:13130 > /dev/null 2>&1; }
reqs() { python3 -c "import json;print(json.load(open('$T/w.json'))['requests'])"; }
wrkrun 4 0; wrkrun 2 0
AUD=$(grep -l egressguard-aud /proc/$PX/task/*/comm | head -1 | xargs dirname)
sleep 1; c0=$(awk '/^voluntary/{print $2}' $AUD/status); sleep 5; c1=$(awk '/^voluntary/{print $2}' $AUD/status)
echo "$LABEL audit thread wake-ups idle: $(( (c1-c0)/5 ))/s"
jcmd $PX GC.run > /dev/null; sleep 0.5
e0=$(jstat -gc $PX | awk 'NR==2{printf "%d", $6}'); y0=$(jstat -gc $PX | awk 'NR==2{print $13}')
wrkrun 2 0
e1=$(jstat -gc $PX | awk 'NR==2{printf "%d", $6}'); y1=$(jstat -gc $PX | awk 'NR==2{print $13}'); n=$(reqs)
echo "$LABEL ka-1k: $n requests, eden +$((e1-e0)) KiB, young GCs $y0->$y1, bytes/request $(( (e1-e0)*1024/n ))"
timeout 6 strace -c -f -p $PX -o $T/strace.txt & ST=$!; sleep 1; wrkrun 3 0; n=$(reqs); sleep 0.3; kill -INT $ST 2>/dev/null; wait $ST 2>/dev/null
awk -v n=$n -v l=$LABEL 'NR>2 && $NF ~ /^[a-z_0-9]+$/ && $4+0>0 {printf "%s syscalls/request %-14s %.2f\n", l, $NF, $4/n}' $T/strace.txt | sort -k4 -rn | head -9
echo "$LABEL requests under strace: $n"
kill $PX; wait $PX 2>/dev/null; kill $NG; wait $NG 2>/dev/null; rm -rf $T
