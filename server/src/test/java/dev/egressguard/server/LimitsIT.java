package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readAll;
import static dev.egressguard.server.support.RawHttp.readHead;
import static dev.egressguard.server.support.RawHttp.readResponse;
import static dev.egressguard.server.support.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.ScriptedUpstream;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The connection, tunnel and rate limits, the head timeout (slowloris) and what 5,000 idle connections cost. */
class LimitsIT {
    @AfterAll
    static void leaks() throws Exception {
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    private static String get(HttpUpstream origin) {
        String a = "127.0.0.1:" + origin.port();
        return "GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\n\r\n";
    }

    @Test
    void beyondMaxConnectionsNewClientsGet503WhileAdmittedOnesKeepWorking() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness("limits:\n  maxConnections: 3\n" + allow(origin.port()))) {
            List<Socket> admitted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Socket s = client(h);
                admitted.add(s);
                send(s, get(origin));
                assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            }
            try (Socket extra = client(h)) {
                send(extra, get(origin));
                String answer = readAll(extra.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 503 ").containsIgnoringCase("retry-after: 1").contains("limit.connections");
            }
            for (Socket s : admitted) {
                send(s, get(origin));
                assertThat(readResponse(s.getInputStream())).as("an admitted keep-alive client keeps working").startsWith("HTTP/1.1 200 ");
            }
            admitted.get(0).close();
            awaitConnections(h, 2);
            try (Socket next = client(h)) {
                send(next, get(origin));
                assertThat(readResponse(next.getInputStream())).as("a freed slot admits the next client").startsWith("HTTP/1.1 200 ");
            }
            for (Socket s : admitted) {
                s.close();
            }
            assertThat(origin.seen()).hasSize(7);
        }
    }

    @Test
    void perClientLimitAnswers429() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness("limits:\n  maxConnectionsPerClient: 1\n" + allow(origin.port()));
             Socket first = client(h)) {
            send(first, get(origin));
            assertThat(readResponse(first.getInputStream())).startsWith("HTTP/1.1 200 "); // admitted before the second connects
            Socket second = client(h);
            send(second, get(origin));
            assertThat(readAll(second.getInputStream())).startsWith("HTTP/1.1 429 ").contains("limit.client_connections");
            AuditEvent refused = h.audit.await(e -> "limit.client_connections".equals(e.reason()), Duration.ofSeconds(5));
            assertThat(refused.verdict()).isEqualTo("deny");
            second.close();
        }
    }

    @Test
    void theRateLimitAnswers429WithRetryAfterAndRefills() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness("limits:\n  requestsPerSecondPerClient: 3\n" + allow(origin.port()))) {
            int ok = 0;
            String limited = null;
            for (int i = 0; i < 10 && limited == null; i++) {
                try (Socket s = client(h)) {
                    send(s, get(origin).replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"));
                    String r = readAll(s.getInputStream()); // one request per connection: the bucket is per client, not per connection
                    if (r.startsWith("HTTP/1.1 200 ")) {
                        ok++;
                    } else {
                        limited = r;
                    }
                }
            }
            assertThat(ok).as("the burst is one second's worth").isBetween(3, 4);
            assertThat(limited).startsWith("HTTP/1.1 429 ").containsIgnoringCase("retry-after: 1").contains("limit.rate");
            Thread.sleep(1100);
            try (Socket s = client(h)) {
                send(s, get(origin));
                assertThat(readResponse(s.getInputStream())).as("refilled after a second").startsWith("HTTP/1.1 200 ");
            }
        }
    }

    @Test
    void maxTunnelsRefusesTheNextConnectWith503() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((i, in, out) -> {
            while (in.read() >= 0) {
                // holds the tunnel open
            }
        });
             ProxyHarness h = new ProxyHarness("limits:\n  maxTunnels: 2\n" + allow(up.port()))) {
            String a = "127.0.0.1:" + up.port();
            List<Socket> open = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Socket s = client(h);
                open.add(s);
                send(s, "CONNECT " + a + " HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
                assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
            }
            try (Socket third = client(h)) {
                send(third, "CONNECT " + a + " HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
                assertThat(readAll(third.getInputStream())).startsWith("HTTP/1.1 503 ").contains("limit.tunnels")
                        .contains("Proxy-Status: egressguard; error=connection_limit_reached");
            }
            AuditEvent refused = h.audit.await(e -> "limit.tunnels".equals(e.reason()), Duration.ofSeconds(5));
            assertThat(h.audit.events()).as("one decision for the refused tunnel, not an allow and then a deny")
                    .filteredOn(e -> e.id().equals(refused.id()) && e.event().equals("decision")).hasSize(1);
            assertThat(h.proxy.metrics().activeTunnels()).isEqualTo(2);
            open.get(0).close();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (h.proxy.metrics().activeTunnels() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            try (Socket again = client(h)) {
                send(again, "CONNECT " + a + " HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
                assertThat(readHead(again.getInputStream())).as("a closed tunnel gives its slot back").startsWith("HTTP/1.1 200 ");
            }
            open.get(1).close();
        }
    }

    @Test
    void aSlowlorisClientIsCutOffWhileAWellBehavedOneIsServed() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness("limits:\n  requestHeaderTimeout: 600ms\n" + allow(origin.port()));
             Socket slow = client(h)) {
            String head = get(origin);
            long start = System.nanoTime();
            String answer = null;
            for (int i = 0; i < head.length() - 2; i++) {
                try {
                    send(slow, head.substring(i, i + 1)); // one byte every 100 ms: never a complete head in time
                } catch (SocketException cut) {
                    break;
                }
                Thread.sleep(100);
                if (slow.getInputStream().available() > 0) {
                    answer = readAll(slow.getInputStream());
                    break;
                }
                try (Socket good = client(h)) {
                    if (i == 2) {
                        send(good, head);
                        assertThat(readResponse(good.getInputStream())).startsWith("HTTP/1.1 200 ");
                    }
                }
            }
            if (answer == null) {
                answer = readAll(slow.getInputStream());
            }
            assertThat(answer).startsWith("HTTP/1.1 408 ").contains("request.timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(origin.seen()).as("only the well-behaved request").hasSize(1);
        }
    }

    @Test
    void fiveThousandIdleConnectionsHoldNoBuffersAndTheLimitHolds() throws Exception {
        long fds = ((com.sun.management.UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        assumeTrue(fds >= 12_000, "needs 12,000 file descriptors (5,000 client + 5,000 server sockets); this JVM may open " + fds);
        int limit = 4_000;
        try (ProxyHarness h = new ProxyHarness("limits:\n  maxConnections: " + limit + "\n  maxConnectionsPerClient: " + limit + "\n")) {
            long buffersBefore = activeBuffers();
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 5_000; i++) {
                    Socket s = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), h.port());
                    s.setSoTimeout(5000);
                    idle.add(s);
                }
                Socket late = idle.get(idle.size() - 1); // over the limit: answered at its first request (it gets 2 s to send one)
                send(late, "GET http://127.0.0.1:9/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n");
                assertThat(readAll(late.getInputStream())).as("a connection over the limit").startsWith("HTTP/1.1 503 ");
                awaitConnections(h, limit);
                Thread.sleep(300);
                assertThat(h.proxy.metrics().activeConnections()).as("admitted, at most the limit").isEqualTo(limit);
                long held = activeBuffers() - buffersBefore;
                // Idle connections hold no read buffer: pooled buffers in use must not grow with them.
                assertThat(held).as("pooled buffers held by %d idle connections", limit).isLessThan(100);
                Thread.sleep(2_500);
                int stillOpen = 0;
                for (Socket s : idle.subList(0, idle.size() - 1)) {
                    s.setSoTimeout(1);
                    try {
                        stillOpen += s.getInputStream().read() == -1 ? 0 : 1;
                    } catch (java.net.SocketTimeoutException open) {
                        stillOpen++;
                    } catch (SocketException reset) {
                        // closed by the proxy
                    }
                }
                assertThat(stillOpen).as("only the admitted stay open: those over the limit that sent nothing are closed after a grace")
                        .isEqualTo(limit);
            } finally {
                for (Socket s : idle) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
            awaitConnections(h, 0);
            assertThat(h.proxy.metrics().activeConnections()).isZero();
        }
    }

    @Test
    void anUpstreamThatNeverCompletesTheHandshakeIsA504AfterTheConnectTimeout() throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            // Never accepted: once its accept queue is full, the kernel drops further SYNs.
            boolean queueFull = false;
            for (int i = 0; i < 16 && !queueFull; i++) {
                Socket s = new Socket();
                fillers.add(s);
                try {
                    s.connect(full.getLocalSocketAddress(), 200);
                } catch (java.net.SocketTimeoutException e) {
                    queueFull = true;
                }
            }
            assumeTrue(queueFull, "this kernel completes every loopback handshake");
            int port = full.getLocalPort();
            try (ProxyHarness h = new ProxyHarness("limits:\n  connectTimeout: 300ms\n" + allow(port))) {
                long start = System.nanoTime();
                String answer = h.raw("GET http://127.0.0.1:" + port + "/ HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(answer).startsWith("HTTP/1.1 504 ").contains("connection_timeout");
                assertThat(took).isBetween(Duration.ofMillis(250), Duration.ofSeconds(4));
            }
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    /** Pooled buffers allocated and not yet released, in every arena. */
    private static long activeBuffers() {
        var m = PooledByteBufAllocator.DEFAULT.metric();
        long n = 0;
        for (var arena : m.directArenas()) {
            n += arena.numActiveAllocations();
        }
        for (var arena : m.heapArenas()) {
            n += arena.numActiveAllocations();
        }
        return n;
    }

    private static void awaitConnections(ProxyHarness h, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (h.proxy.metrics().activeConnections() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(h.proxy.metrics().activeConnections()).isEqualTo(expected);
    }
}
