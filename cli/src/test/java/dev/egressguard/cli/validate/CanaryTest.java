package dev.egressguard.cli.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CanaryTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final Probe A = probe("a", Optional.empty());
    private static final Probe B = probe("b", Optional.of("127.255.255.254"));

    private static Probe probe(String id, Optional<String> alsoBind) {
        return new Probe(id, ProbeGroup.LOOPBACK_V4, "127.0.0.1", "first", ProbeMethod.GET, Landing.CANARY, 0, alsoBind, "/", 1);
    }

    private static String exchange(String address, int port, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getByName(address), port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(s.getInputStream().readNBytes(4096), StandardCharsets.ISO_8859_1);
        }
    }

    private static CanaryEvidence awaitHit(Canary c, Probe p) throws InterruptedException {
        for (int i = 0; i < 100 && !c.evidence(p).hit(); i++) {
            Thread.sleep(20);
        }
        return c.evidence(p);
    }

    @Test
    void aConnectionWithTheTokenIsSeenAndAnswered() throws Exception {
        try (Canary c = Canary.open(TOKEN, List.of(A, B))) {
            assertThat(c.port(A)).isNotEqualTo(c.port(B));
            String answer = exchange("127.0.0.1", c.port(A), "GET /egressguard-validate/" + TOKEN + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200 OK").endsWith(Canary.ANSWER_BODY);
            CanaryEvidence e = awaitHit(c, A);
            assertThat(e.connections()).isEqualTo(1);
            assertThat(e.tokenSeen()).isTrue();
            assertThat(e.reachedAt()).contains("127.0.0.1:" + c.port(A));
            assertThat(c.evidence(B).hit()).as("the other probe's canary").isFalse();
        }
    }

    @Test
    void aRewrittenRequestStillCountsAndEveryListenerIsTheSameProbe() throws Exception {
        try (Canary c = Canary.open(TOKEN, List.of(A, B))) {
            assertThat(c.evidence(B).listening()).contains("127.255.255.254:" + c.port(B));
            exchange("127.255.255.254", c.port(B), "GET / HTTP/1.1\r\nHost: rewritten\r\n\r\n");
            CanaryEvidence e = awaitHit(c, B);
            assertThat(e.hit()).isTrue();
            assertThat(e.tokenSeen()).isFalse();
            assertThat(e.covered()).isTrue();
        }
    }
}
