package dev.egressguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Python's HTTP clients through a real proxy, as an agent's tools use them: a streamed response
 * (server-sent events) arrives event by event, a 10 MiB upload to a denied target reads the 403
 * with its reason instead of a connection reset, and a refused CONNECT names its reason in the
 * error the program sees. Skipped where no Python with the module is installed (.ci/run installs them).
 */
@Tag("real-client")
class PythonClientsIT {

    private static String python(String... modules) {
        Optional<String> p = Pythons.withModules(modules);
        assumeTrue(p.isPresent(), "no python3 with " + String.join(", ", modules));
        return p.get();
    }

    private static ChildProcess.Result run(String python, String script, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(python, "-c", script));
        cmd.addAll(List.of(args));
        return ChildProcess.run(cmd, Map.of("NO_PROXY", "", "no_proxy", ""), null, Duration.ofSeconds(60));
    }

    @Test
    void requestsUploading10MiBToADeniedTargetReadsThe403AndItsReason() throws Exception {
        String py = python("requests");
        try (RoutedProxy proxy = new RoutedProxy(1)) {
            ChildProcess.Result r = run(py, String.join("\n",
                    "import sys, requests",
                    "p = {'http': sys.argv[1]}",
                    "r = requests.post('http://127.0.0.1:9/upload', data=b'x' * (10 * 1024 * 1024), proxies=p, timeout=30)",
                    "print(r.status_code, r.headers.get('X-Egressguard-Reason'), r.reason)"), proxy.url());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo("403 ip.loopback Forbidden (egressguard: ip.loopback)");
        }
    }

    @Test
    void urllibUploading10MiBToADeniedTargetReadsThe403() throws Exception {
        String py = python("urllib.request");
        try (RoutedProxy proxy = new RoutedProxy(1)) {
            ChildProcess.Result r = run(py, String.join("\n",
                    "import sys, urllib.request, urllib.error",
                    "o = urllib.request.build_opener(urllib.request.ProxyHandler({'http': sys.argv[1]}))",
                    "try:",
                    "    o.open(urllib.request.Request('http://169.254.169.254/x', data=b'x' * (10 * 1024 * 1024)), timeout=30)",
                    "except urllib.error.HTTPError as e:",
                    "    print(e.code, e.headers.get('X-Egressguard-Reason'))"), proxy.url());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().strip()).isEqualTo("403 ip.metadata");
        }
    }

    @Test
    void requestsSeesTheReasonOfARefusedConnect() throws Exception {
        String py = python("requests");
        try (RoutedProxy proxy = new RoutedProxy(1)) {
            ChildProcess.Result r = run(py, String.join("\n",
                    "import sys, requests",
                    "try:",
                    "    requests.get('https://127.0.0.1:9/', proxies={'https': sys.argv[1]}, timeout=30)",
                    "except requests.exceptions.ProxyError as e:",
                    "    print(e)"), proxy.url());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("403 Forbidden (egressguard: ip.loopback)");
        }
    }

    @Test
    void requestsStreamsServerSentEventsAsTheyArrive() throws Exception {
        String py = python("requests");
        HttpServer origin = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 8);
        origin.createContext("/events", x -> {
            x.getResponseHeaders().set("Content-Type", "text/event-stream");
            x.sendResponseHeaders(200, 0);
            try (OutputStream out = x.getResponseBody()) {
                for (int k = 0; k < 4; k++) {
                    out.write(("data: " + System.nanoTime() / 1_000_000 + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(400);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        origin.start();
        try (RoutedProxy proxy = new RoutedProxy(origin.getAddress().getPort())) {
            // each line: the origin's send time and the client's receive time, on the same monotonic clock
            ChildProcess.Result r = run(py, String.join("\n",
                    "import sys, time, requests",
                    "r = requests.get(sys.argv[2], proxies={'http': sys.argv[1]}, stream=True, timeout=30)",
                    "for line in r.iter_lines(chunk_size=1):",
                    "    if line.startswith(b'data: '):",
                    "        print(int(line[6:]), time.monotonic_ns() // 1_000_000, flush=True)"),
                    proxy.url(), "http://127.0.0.1:" + origin.getAddress().getPort() + "/events");
            assertThat(r.exit()).as(r.err()).isZero();
            List<String> lines = r.out().strip().lines().toList();
            assertThat(lines).hasSize(4);
            for (String line : lines) {
                String[] t = line.split(" ");
                long lag = Long.parseLong(t[1]) - Long.parseLong(t[0]);
                assertThat(lag).as("event lag in ms (origin send to client receive): %s", line).isLessThan(100);
            }
        } finally {
            origin.stop(0);
        }
    }
}
