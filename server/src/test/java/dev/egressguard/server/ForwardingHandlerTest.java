package dev.egressguard.server;

import static dev.egressguard.server.EmbeddedProxy.sentBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.EmbeddedProxy.InetEmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * Absolute-form forwarding on the real client pipeline, both sides embedded: pipelined requests
 * answered in order, back-pressure both ways (a side that cannot take more stops reads on the
 * other, and they start again when it drains), one final answer per exchange, and every buffer
 * the proxy drops released.
 */
class ForwardingHandlerTest {
    private static final String POLICY = "allow:\n  - cidr: 127.0.0.1/32\n    ports: [8080]\n    reason: handler test\n";
    private static final String A = "127.0.0.1:8080";

    private static String get(String path) {
        return "GET http://" + A + path + " HTTP/1.1\r\nHost: " + A + "\r\n\r\n";
    }

    private static String ok(String body) {
        return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    @Test
    void pipelinedRequestsAreForwardedOneAtATimeAndAnsweredInOrder() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, get("/one") + get("/two"));
            proxy.settle(client);
            InetEmbeddedChannel upstream = proxy.upstream(0);
            assertThat(sentBy(upstream)).as("only the first request goes out before its answer").startsWith("GET /one HTTP/1.1\r\n")
                    .doesNotContain("/two");
            proxy.receive(upstream, ok("first"));
            proxy.settle(client);
            assertThat(sentBy(client)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("first");
            assertThat(sentBy(upstream)).as("the second request reuses the upstream").startsWith("GET /two HTTP/1.1\r\n");
            proxy.receive(upstream, ok("second"));
            proxy.settle(client);
            assertThat(sentBy(client)).endsWith("second");
            assertThat(proxy.upstreams).hasSize(1);
            assertThat(proxy.audit.events()).filteredOn(e -> e.event().equals("close")).extracting(e -> e.status()).containsExactly(200, 200);
            client.finishAndReleaseAll();
            assertThat(proxy.releasedAll()).isTrue();
        }
    }

    @Test
    void aSlowClientStopsReadsFromTheUpstreamUntilItDrains() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, get("/big"));
            proxy.settle(client);
            InetEmbeddedChannel upstream = proxy.upstream(0);
            sentBy(upstream);
            proxy.receive(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234");
            assertThat(upstream.config().isAutoRead()).isTrue();
            client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            client.runPendingTasks(); // the client's socket is full; the writability event is delivered as a task
            assertThat(upstream.config().isAutoRead()).as("reads from the upstream stop").isFalse();
            client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
            client.runPendingTasks(); // the writability event is delivered as a task
            assertThat(upstream.config().isAutoRead()).as("and start again once the client drains").isTrue();
            proxy.receive(upstream, "56789");
            proxy.settle(client);
            assertThat(sentBy(client)).endsWith("0123456789");
            client.finishAndReleaseAll();
        }
    }

    @Test
    void aResponseThatEndsWhileTheClientIsFullLeavesTheIdleUpstreamReading() {
        // reads stay on for an idle upstream: a close or a stray byte from it is seen at once and
        // closes it, instead of waiting in its socket to be read as the next request's answer
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, get("/big"));
            proxy.settle(client);
            InetEmbeddedChannel upstream = proxy.upstream(0);
            sentBy(upstream);
            proxy.receive(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234");
            client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            client.runPendingTasks();
            assertThat(upstream.config().isAutoRead()).as("reads from the upstream stop").isFalse();
            proxy.receive(upstream, "56789"); // the rest was in the same read: the response ends while the client is full
            assertThat(upstream.config().isAutoRead()).as("the idle upstream reads again").isTrue();
            proxy.receive(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nSTRAY!");
            assertThat(upstream.isOpen()).as("a byte from an idle upstream closes it").isFalse();
            client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
            proxy.settle(client);
            assertThat(sentBy(client)).endsWith("0123456789").doesNotContain("STRAY");
            client.finishAndReleaseAll();
        }
    }

    @Test
    void aSlowUpstreamStopsReadsFromTheClientUntilItDrains() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, "POST http://" + A + "/up HTTP/1.1\r\nHost: " + A + "\r\nContent-Length: 10\r\n\r\n01234");
            proxy.settle(client);
            InetEmbeddedChannel upstream = proxy.upstream(0);
            assertThat(client.config().isAutoRead()).as("reading the body while the upstream takes it").isTrue();
            upstream.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
            upstream.runPendingTasks(); // the writability event is delivered as a task
            assertThat(client.config().isAutoRead()).as("reads from the client stop").isFalse();
            upstream.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
            upstream.runPendingTasks(); // the writability event is delivered as a task
            assertThat(client.config().isAutoRead()).as("and start again once the upstream drains").isTrue();
            proxy.receive(client, "56789");
            proxy.settle(client);
            assertThat(sentBy(upstream)).startsWith("POST /up HTTP/1.1\r\n").endsWith("\r\n\r\n0123456789");
            client.finishAndReleaseAll();
        }
    }

    @Test
    void aRefusalIsTheOneFinalAnswerAndWhatFollowsIsReleased() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, "POST http://127.0.0.1:9/x HTTP/1.1\r\nHost: 127.0.0.1:9\r\nContent-Length: 5\r\n\r\nabcde"
                    + get("/after") + "\u0001 broken request\r\n\r\n");
            proxy.settle(client);
            String answer = sentBy(client);
            assertThat(answer).startsWith("HTTP/1.1 403 Forbidden (egressguard: ip.loopback)\r\n");
            assertThat(answer.indexOf("HTTP/1.1", 1)).as("one final answer").isEqualTo(-1);
            assertThat(proxy.upstreams).isEmpty();
            client.finishAndReleaseAll();
            assertThat(proxy.releasedAll()).isTrue();
            assertThat(proxy.audit.events()).filteredOn(e -> e.event().equals("decision")).hasSize(1);
        }
    }

    @Test
    void anUpstreamThatBreaksAfterTheResponseStartedCutsTheClientOffWithoutASecondAnswer() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, get("/cut"));
            proxy.settle(client);
            InetEmbeddedChannel upstream = proxy.upstream(0);
            proxy.receive(upstream, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
            upstream.close();
            proxy.settle(client);
            String answer = sentBy(client);
            assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").endsWith("partial");
            assertThat(client.isOpen()).isFalse();
            assertThat(proxy.audit.events()).filteredOn(e -> e.event().equals("close")).singleElement()
                    .satisfies(e -> assertThat(e.error()).isEqualTo("http_response_incomplete"));
        }
    }

    @Test
    void upstreamBytesForAClientThatIsGoneAreReleased() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, get("/gone"));
            proxy.settle(client);
            InetEmbeddedChannel upstream = proxy.upstream(0);
            client.close();
            proxy.settle(client);
            assertThat(upstream.isOpen()).as("the upstream closes with its client").isFalse();
            assertThat(proxy.releasedAll()).isTrue();
        }
    }
}
