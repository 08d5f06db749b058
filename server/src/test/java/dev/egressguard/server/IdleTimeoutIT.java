package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readHead;
import static dev.egressguard.server.support.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.ScriptedUpstream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.idleTimeout} as the per-loop sweep keeps it, through a real proxy and real sockets:
 * bytes in either direction keep a connection alive (a download the client never answers is not
 * idle), a connection that stands still is closed, and a reload's timeout reaches connections that
 * are already open.
 */
class IdleTimeoutIT {
    @AfterAll
    static void leaks() throws Exception {
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    /** An origin that says nothing and reads until the tunnel goes away. */
    private static ScriptedUpstream silentOrigin() throws Exception {
        return new ScriptedUpstream((i, in, out) -> {
            while (in.read() >= 0) {
                // silent
            }
        });
    }

    /** A client connection with a CONNECT tunnel to {@code up} open through {@code h}. */
    private static Socket tunnel(ProxyHarness h, ScriptedUpstream up) throws Exception {
        Socket s = client(h);
        String a = "127.0.0.1:" + up.port();
        send(s, "CONNECT " + a + " HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
        assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
        return s;
    }

    /** Reads what the tunnel delivers until it closes: the byte count, or -1 if it was still open after {@code limitMillis}. */
    private static long readUntilClosed(Socket s, long limitMillis) throws Exception {
        s.setSoTimeout(200);
        InputStream in = s.getInputStream();
        long got = 0;
        long deadline = System.nanoTime() + limitMillis * 1_000_000;
        while (System.nanoTime() < deadline) {
            try {
                int b = in.read();
                if (b < 0) {
                    return got;
                }
                got++;
            } catch (SocketTimeoutException e) {
                // nothing yet
            }
        }
        return -1;
    }

    @Test
    void aDownloadTheClientNeverAnswersIsNotIdleAndStillClosesOnceItStops() throws Exception {
        // the origin trickles 12 bytes 150 ms apart (1.8 s in all, well past the 500 ms timeout), then falls silent
        try (ScriptedUpstream up = new ScriptedUpstream((i, in, out) -> {
            for (int n = 0; n < 12; n++) {
                out.write('x');
                out.flush();
                Thread.sleep(150);
            }
            Thread.sleep(5_000);
        });
             ProxyHarness h = new ProxyHarness("limits:\n  idleTimeout: 500ms\n" + allow(up.port()));
             Socket s = tunnel(h, up)) {
            long start = System.nanoTime();
            long got = readUntilClosed(s, 4_000);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(got).as("every byte of the trickle, then the close (-1: never closed)").isEqualTo(12);
            assertThat(millis).as("closed after the trickle ended, not while it ran").isGreaterThanOrEqualTo(1_800);
            AuditEvent close = h.audit.await(e -> e.event().equals("close") && "connect".equals(e.mode()), Duration.ofSeconds(5));
            assertThat(close.bytesDown()).isGreaterThanOrEqualTo(12);
        }
    }

    @Test
    void anIdleConnectTunnelIsClosedAfterTheIdleTimeout() throws Exception {
        try (ScriptedUpstream up = silentOrigin();
             ProxyHarness h = new ProxyHarness("limits:\n  idleTimeout: 500ms\n" + allow(up.port()));
             Socket s = tunnel(h, up)) {
            long start = System.nanoTime();
            assertThat(readUntilClosed(s, 5_000)).as("closed, with nothing delivered (-1: still open after 5 s)").isZero();
            assertThat((System.nanoTime() - start) / 1_000_000).as("not before the timeout").isGreaterThanOrEqualTo(450);
            AuditEvent close = h.audit.await(e -> e.event().equals("close") && "connect".equals(e.mode()), Duration.ofSeconds(5));
            assertThat(close.status()).isEqualTo(200);
        }
    }

    @Test
    void anUploadTheOriginNeverAnswersIsNotIdleEither() throws Exception {
        try (ScriptedUpstream up = silentOrigin();
             ProxyHarness h = new ProxyHarness("limits:\n  idleTimeout: 500ms\n" + allow(up.port()));
             Socket s = tunnel(h, up)) {
            for (int n = 0; n < 12; n++) {
                send(s, "y");
                Thread.sleep(150);
            }
            assertThat(up.received(0)).as("all 12 bytes reached the origin through a tunnel that stayed open").hasSize(12);
            assertThat(readUntilClosed(s, 4_000)).as("then it stood still, and closed").isZero();
        }
    }

    @Test
    void aReloadedTimeoutReachesConnectionsAlreadyOpen() throws Exception {
        try (ScriptedUpstream up = silentOrigin();
             ProxyHarness h = new ProxyHarness("limits:\n  idleTimeout: 5m\n" + allow(up.port()));
             Socket s = tunnel(h, up)) {
            h.proxy.reload(PolicyFileLoader.parse("limits:\n  idleTimeout: 400ms\n" + allow(up.port()), "reloaded"));
            long start = System.nanoTime();
            // the sweep already scheduled under 5m runs within 5 s; from then on the sweeps are 100 ms apart
            assertThat(readUntilClosed(s, 8_000)).as("closed under the new timeout (-1: still open after 8 s)").isZero();
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
        }
    }
}
