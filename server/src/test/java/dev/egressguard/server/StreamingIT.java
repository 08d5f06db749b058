package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readAll;
import static dev.egressguard.server.support.RawHttp.readHead;
import static dev.egressguard.server.support.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.ScriptedUpstream;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Streamed bodies cross absolute-form forwarding as they are produced, in both directions: each
 * server-sent event reaches the client within 100 ms of the origin sending it, each chunk of an
 * upload reaches the origin as the client sends it, and a response cut off by its origin reaches
 * the client as far as it came. Interim (1xx) responses obey back-pressure and a per-exchange cap,
 * and an upstream stops being read once its client is gone. Raw scripted origins on 127.0.0.1.
 */
class StreamingIT {
    private static final long EVENT_GAP_MILLIS = 300;
    private static final long DEADLINE_MILLIS = 100;

    @AfterAll
    static void noLeaks() throws InterruptedException {
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    @Test
    void eachServerSentEventReachesTheClientWithin100msOfTheOriginSendingIt() throws Exception {
        List<Long> sentAt = new CopyOnWriteArrayList<>();
        try (ScriptedUpstream origin = new ScriptedUpstream((i, in, out) -> {
                 readHead(in);
                 out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                         .getBytes(StandardCharsets.ISO_8859_1));
                 out.flush();
                 for (int k = 0; k < 5; k++) {
                     Thread.sleep(EVENT_GAP_MILLIS);
                     String event = "data: token-" + k + "\n\n";
                     sentAt.add(System.nanoTime());
                     out.write((Integer.toHexString(event.length()) + "\r\n" + event + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                     out.flush();
                 }
                 out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                 out.flush();
             });
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            send(s, "GET http://" + a + "/events HTTP/1.1\r\nHost: " + a + "\r\nAccept: text/event-stream\r\n\r\n");
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertThat(head).as("the head arrives before the first event is sent").startsWith("HTTP/1.1 200 ");
            assertThat(sentAt).isEmpty();
            StringBuilder seen = new StringBuilder();
            for (int k = 0; k < 5; k++) {
                String wanted = "data: token-" + k;
                while (!seen.toString().contains(wanted)) {
                    int b = in.read();
                    assertThat(b).as("stream ended before event " + k).isGreaterThanOrEqualTo(0);
                    seen.append((char) b);
                }
                long lag = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt.get(k));
                assertThat(lag).as("event %d arrived %d ms after the origin sent it", k, lag).isLessThan(DEADLINE_MILLIS);
            }
        }
    }

    @Test
    void eachChunkOfAStreamedUploadReachesTheOriginAsTheClientSendsIt() throws Exception {
        List<Long> arrivedAt = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        try (ScriptedUpstream origin = new ScriptedUpstream((i, in, out) -> {
                 readHead(in);
                 StringBuilder body = new StringBuilder();
                 for (int k = 0; k < 3; k++) {
                     while (!body.toString().contains("part-" + k)) {
                         int b = in.read();
                         if (b < 0) {
                             return;
                         }
                         body.append((char) b);
                     }
                     arrivedAt.add(System.nanoTime());
                 }
                 // The whole body before the answer: an origin that answers and closes with the last
                 // chunk unread makes its kernel reset the connection, which can discard the answer.
                 while (!body.toString().endsWith("0\r\n\r\n")) {
                     int b = in.read();
                     if (b < 0) {
                         return;
                     }
                     body.append((char) b);
                 }
                 done.countDown();
                 out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                 out.flush();
             });
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            send(s, "POST http://" + a + "/upload HTTP/1.1\r\nHost: " + a + "\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (int k = 0; k < 3; k++) {
                Thread.sleep(EVENT_GAP_MILLIS);
                long sent = System.nanoTime();
                send(s, "6\r\npart-" + k + "\r\n");
                long deadline = sent + TimeUnit.MILLISECONDS.toNanos(2_000);
                while (arrivedAt.size() <= k && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                assertThat(arrivedAt).as("chunk %d reached the origin", k).hasSizeGreaterThan(k);
                long lag = TimeUnit.NANOSECONDS.toMillis(arrivedAt.get(k) - sent);
                assertThat(lag).as("chunk %d reached the origin %d ms after the client sent it", k, lag).isLessThan(DEADLINE_MILLIS);
            }
            send(s, "0\r\n\r\n");
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
        }
    }

    @Test
    void aResponseItsOriginCutsOffReachesTheClientAsFarAsItCame() throws Exception {
        try (ScriptedUpstream origin = new ScriptedUpstream((i, in, out) -> {
                 readHead(in);
                 out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                 out.write("x".repeat(100).getBytes(StandardCharsets.ISO_8859_1));
                 out.flush();
                 // and the origin goes away mid-body
             });
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            send(s, "GET http://" + a + "/cut HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            String answer = readAll(s.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200 ").contains("Content-Length: 1000").endsWith("x".repeat(100));
            assertThat(h.audit.await(e -> e.event().equals("close") && "http_response_incomplete".equals(e.error()),
                    java.time.Duration.ofSeconds(5)).status()).isEqualTo(200);
        }
    }

    @Test
    void aFloodOfInterimResponsesIsCutOffAfterTheCapWithA502() throws Exception {
        AtomicLong interimsWritten = new AtomicLong();
        CountDownLatch originSawTheEnd = new CountDownLatch(1);
        try (ScriptedUpstream origin = new ScriptedUpstream((i, in, out) -> {
                 readHead(in);
                 byte[] interim = "HTTP/1.1 102 Processing\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
                 try {
                     for (int k = 0; k < 200_000; k++) { // bounded: the proxy must cut it off long before
                         out.write(interim);
                         out.flush();
                         interimsWritten.incrementAndGet();
                     }
                 } catch (SocketException cut) {
                     originSawTheEnd.countDown();
                 }
             });
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            send(s, "GET http://" + a + "/slow HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            assertThat(originSawTheEnd.await(10, TimeUnit.SECONDS)).as("the proxy closed the flooding upstream").isTrue();
            String answer = readAll(s.getInputStream());
            int interims = answer.split("HTTP/1.1 102 ", -1).length - 1;
            assertThat(interims).isEqualTo(UpstreamResponseHandler.MAX_INTERIM_RESPONSES);
            assertThat(answer).contains("HTTP/1.1 502 Bad Gateway (egressguard: http_protocol_error)")
                    .contains("Proxy-Status: egressguard; error=http_protocol_error");
            assertThat(interimsWritten.get()).as("interim responses the origin got out before it was cut off").isLessThan(100_000);
        }
    }

    @Test
    void aClientThatDoesNotReadStopsTheProxyReadingItsUpstream() throws Exception {
        AtomicLong bytesOut = new AtomicLong();
        CountDownLatch blocked = new CountDownLatch(1);
        try (ScriptedUpstream origin = new ScriptedUpstream((i, in, out) -> {
                 readHead(in);
                 out.write("HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                 byte[] chunk = new byte[64 * 1024];
                 long start = System.nanoTime();
                 try {
                     while (bytesOut.get() < (1L << 30) && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(8)) {
                         out.write(chunk);
                         bytesOut.addAndGet(chunk.length);
                     }
                 } catch (SocketException closed) {
                     blocked.countDown();
                 }
             });
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            s.setReceiveBufferSize(64 * 1024);
            String a = "127.0.0.1:" + origin.port();
            send(s, "GET http://" + a + "/big HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
            Thread.sleep(1_500); // the client reads nothing
            long stalledAt = bytesOut.get();
            Thread.sleep(1_000);
            assertThat(bytesOut.get()).as("the origin is not read while the client does not read").isEqualTo(stalledAt);
            assertThat(stalledAt).as("bytes the proxy took while its client read nothing").isLessThan(32L * 1024 * 1024);
            s.close(); // the client goes away: the upstream is closed, not drained
            assertThat(blocked.await(5, TimeUnit.SECONDS)).as("the origin saw its connection closed").isTrue();
        }
    }

    @Test
    void interimResponsesAreNotSentToAnHttp10Client() throws Exception {
        try (ScriptedUpstream origin = new ScriptedUpstream((i, in, out) -> {
                 readHead(in);
                 out.write(("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                         + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").getBytes(StandardCharsets.ISO_8859_1));
                 out.flush();
             });
             ProxyHarness h = new ProxyHarness(allow(origin.port()));
             Socket s = client(h)) {
            String a = "127.0.0.1:" + origin.port();
            send(s, "GET http://" + a + "/ HTTP/1.0\r\nHost: " + a + "\r\n\r\n");
            String answer = readAll(s.getInputStream());
            assertThat(answer).startsWith("HTTP/1.1 200 ").doesNotContain("103").endsWith("hello");
        }
    }
}
