#!/usr/bin/env python3
"""Interim-response flood against a real egressguard process: RSS growth while an origin streams
endless `102 Processing` to a client that reads nothing.

Everything stays on loopback and stops by itself (DURATION seconds). Prints the proxy's RSS before
and the peak during the flood, the bytes the origin got out, and what the client received after.

    python3 bench/attacks/interim_flood.py [--jar cli/target/egressguard.jar] [--seconds 20] [--heap 256m]
"""
import argparse, os, socket, subprocess, sys, tempfile, threading, time

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default="cli/target/egressguard.jar")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--heap", default="256m")
    a = ap.parse_args()

    origin = socket.socket(); origin.bind(("127.0.0.1", 0)); origin.listen(8)
    oport = origin.getsockname()[1]
    written = [0]
    stop = time.monotonic() + a.seconds

    def flood():
        c, _ = origin.accept()
        c.recv(65536)
        msg = b"HTTP/1.1 102 Processing\r\n\r\n"
        try:
            while time.monotonic() < stop:
                c.sendall(msg * 64)
                written[0] += len(msg) * 64
        except OSError:
            pass
        c.close()
    threading.Thread(target=flood, daemon=True).start()

    pport = free_port()
    policy = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    policy.write(f"listen: 127.0.0.1:{pport}\nadmin:\n  listen: \"off\"\nallow:\n  - cidr: 127.0.0.1/32\n    ports: [{oport}]\n    reason: flood origin\n")
    policy.close()
    proxy = subprocess.Popen(["java", f"-Xmx{a.heap}", "-jar", a.jar, "proxy", "--policy", policy.name],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", pport), timeout=1).close(); break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)
        before = rss_kib(proxy.pid)
        client = socket.create_connection(("127.0.0.1", pport))
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.sendall(f"GET http://127.0.0.1:{oport}/ HTTP/1.1\r\nHost: 127.0.0.1:{oport}\r\n\r\n".encode())
        peak = before
        while time.monotonic() < stop:
            peak = max(peak, rss_kib(proxy.pid)); time.sleep(0.2)
        client.settimeout(5)
        got = b""
        try:
            while len(got) < 1 << 20:
                b = client.recv(65536)
                if not b: break
                got += b
        except OSError:
            pass
        print(f"proxy RSS before: {before // 1024} MiB; peak during {a.seconds:.0f} s flood: {peak // 1024} MiB; "
              f"growth: {(peak - before) // 1024} MiB")
        print(f"origin got out {written[0] // 1024} KiB of interim responses; proxy alive: {proxy.poll() is None}")
        heads = [h.split(b"\r\n")[0].decode("latin-1") for h in got.split(b"\r\n\r\n") if h.startswith(b"HTTP/")]
        final = [h for h in heads if not h.startswith("HTTP/1.1 1")]
        print(f"client then read {len(heads) - len(final)} interim responses; final: {final[:1]}")
    finally:
        proxy.terminate()
        try:
            proxy.wait(10)
        except subprocess.TimeoutExpired:
            proxy.kill()
        os.unlink(policy.name)

if __name__ == "__main__":
    sys.exit(main())
