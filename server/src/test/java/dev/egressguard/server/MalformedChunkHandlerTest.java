package dev.egressguard.server;

import static dev.egressguard.server.EmbeddedProxy.sentBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.EmbeddedProxy.InetEmbeddedChannel;
import dev.egressguard.server.audit.AuditEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bytes the request-decoder fuzz target ({@link RequestDecodingFuzzTest}) is seeded with, through
 * the real client pipeline: a malformed chunk-size line (Netty 4.2.18's chunk-size parser throws
 * ArrayIndexOutOfBoundsException on a byte of 0x80 or more) and a request line too long for one
 * read are each answered, with a decision and a close event, never an exception or a silent close.
 */
class MalformedChunkHandlerTest {
    private static final String POLICY = "allow:\n  - cidr: 127.0.0.1/32\n    ports: [8080]\n    reason: handler test\n";
    private static final String HEAD = "POST http://127.0.0.1:8080/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nTransfer-Encoding: chunked\r\n\r\n";

    @ParameterizedTest(name = "chunk size {0}")
    @ValueSource(strings = {"5\u0080", "\u00805", "\u00ff", "5;\u0080=x", "5 junk", "5\u0000", "100000005", "5\rhello"})
    void aMalformedChunkSizeIsA400WithItsEvents(String sizeLine) {
        for (boolean oneRead : new boolean[] {true, false}) {
            try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
                InetEmbeddedChannel client = proxy.client();
                String body = sizeLine + "\r\nhello\r\n0\r\n\r\n";
                if (oneRead) {
                    proxy.receive(client, HEAD + body);
                } else {
                    proxy.receive(client, HEAD);
                    proxy.settle(client);
                    proxy.receive(client, body);
                }
                proxy.settle(client);
                client.checkException();
                assertThat(sentBy(client)).startsWith("HTTP/1.1 400 ").contains("request:malformed-body");
                assertThat(proxy.audit.events()).extracting(AuditEvent::event).containsExactly("decision", "close");
                assertThat(proxy.audit.events().get(1).status()).isEqualTo(400);
                client.finishAndReleaseAll();
                assertThat(proxy.releasedAll()).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "split every {0} bytes")
    @ValueSource(ints = {97, 4096, 1 << 20})
    void aRequestLineTooLongIsA431HoweverTheReadsSplitIt(int piece) {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            String wire = "GET http://127.0.0.1:8080/" + "a".repeat(RequestHeadScan.MAX_REQUEST_LINE) + " HTTP/1.1\r\n\r\n";
            for (int from = 0; from < wire.length() && client.isActive(); from += piece) {
                proxy.receive(client, wire.substring(from, Math.min(wire.length(), from + piece)));
            }
            proxy.settle(client);
            client.checkException();
            assertThat(sentBy(client)).startsWith("HTTP/1.1 431 ");
            assertThat(proxy.audit.events()).extracting(AuditEvent::event).contains("decision");
            client.finishAndReleaseAll();
        }
    }
}
