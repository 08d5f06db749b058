package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A client that sends its whole body before reading (Python's requests, httpx and urllib do) reads
 * the refusal instead of a connection reset: after answering, the proxy reads and drops the rest of
 * the body — bounded in time and bytes — before it closes. The denied target is loopback, which the
 * default policy refuses before any dial.
 */
class LingeringCloseIT {
    private static final int TEN_MIB = 10 * 1024 * 1024;

    @AfterAll
    static void noLeaks() throws InterruptedException {
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    @Test
    void aClientThatSends10MiBBeforeReadingReadsThe403() throws Exception {
        try (ProxyHarness h = new ProxyHarness("");
             Socket s = client(h)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST http://127.0.0.1:9/upload HTTP/1.1\r\nHost: 127.0.0.1:9\r\nContent-Length: " + TEN_MIB + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] block = new byte[64 * 1024];
            for (int sent = 0; sent < TEN_MIB; sent += block.length) {
                out.write(block); // blocks unless the proxy keeps reading after its answer
            }
            out.flush();
            String answer = readAll(s.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 403 Forbidden (egressguard: ip.loopback)").contains("X-Egressguard-Reason: ip.loopback");
        }
    }

    @Test
    void aChunkedUploadToADeniedTargetAlsoReadsThe403() throws Exception {
        try (ProxyHarness h = new ProxyHarness("");
             Socket s = client(h)) {
            OutputStream out = s.getOutputStream();
            out.write("POST http://169.254.169.254/x HTTP/1.1\r\nHost: 169.254.169.254\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            for (int k = 0; k < 160; k++) {
                out.write(chunk);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readAll(s.getInputStream())).startsWith("HTTP/1.1 403 Forbidden (egressguard: ip.metadata)");
        }
    }

    @Test
    void aBodyThatNeverEndsIsCutOffAfterTheLingerBound() throws Exception {
        try (ProxyHarness h = new ProxyHarness("");
             Socket s = client(h)) {
            OutputStream out = s.getOutputStream();
            out.write("POST http://127.0.0.1:9/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\nContent-Length: 1073741824\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            byte[] block = new byte[16 * 1024];
            long start = System.nanoTime();
            long limit = TimeUnit.MILLISECONDS.toNanos(LingeringCloseHandler.LINGER_MILLIS + 5_000);
            boolean cut = false;
            try {
                while (System.nanoTime() - start < limit) {
                    out.write(block);
                    Thread.sleep(5);
                }
            } catch (IOException closedByTheProxy) {
                cut = true;
            }
            assertThat(cut).as("the proxy stopped lingering within its bound").isTrue();
        }
    }
}
