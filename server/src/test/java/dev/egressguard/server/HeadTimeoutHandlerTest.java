package dev.egressguard.server;

import static dev.egressguard.server.EmbeddedProxy.sentBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.EmbeddedProxy.InetEmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.requestHeaderTimeout} on the embedded pipeline, with the event loop's clock moved
 * by hand: a head that does not complete in time is a 408 with its decision event; an idle
 * keep-alive connection that sent nothing closes quietly; a complete head in time is not cut.
 */
class HeadTimeoutHandlerTest {
    private static final String POLICY = "limits:\n  requestHeaderTimeout: 2s\nallow:\n  - cidr: 127.0.0.1/32\n    ports: [8080]\n    reason: handler test\n";

    @Test
    void aHeadNotCompleteInTimeIsA408WithItsDecision() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, "GET http://127.0.0.1:8080/ HTTP/1.1\r\nHost: 127.0");
            client.advanceTimeBy(1_900, TimeUnit.MILLISECONDS);
            client.runScheduledPendingTasks();
            assertThat(client.isOpen()).as("still within the timeout").isTrue();
            client.advanceTimeBy(200, TimeUnit.MILLISECONDS);
            client.runScheduledPendingTasks();
            client.runPendingTasks();
            assertThat(sentBy(client)).startsWith("HTTP/1.1 408 Request Timeout (egressguard: request.timeout)\r\n");
            assertThat(proxy.audit.events()).filteredOn(e -> e.event().equals("decision")).singleElement()
                    .satisfies(e -> assertThat(e.reason()).isEqualTo("request.timeout"));
            client.runScheduledPendingTasks();
            client.finishAndReleaseAll();
            assertThat(proxy.releasedAll()).isTrue();
        }
    }

    @Test
    void anIdleConnectionThatSentNothingClosesQuietly() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            client.advanceTimeBy(2_100, TimeUnit.MILLISECONDS);
            client.runScheduledPendingTasks();
            assertThat(client.isOpen()).isFalse();
            assertThat(sentBy(client)).isEmpty();
            assertThat(proxy.audit.events()).isEmpty();
        }
    }

    @Test
    void aCompleteHeadIsNotCutAndTheTimerRestartsAfterTheAnswer() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, "GET http://127.0.0.1:8080/ HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
            proxy.settle(client);
            client.advanceTimeBy(5_000, TimeUnit.MILLISECONDS);
            client.runScheduledPendingTasks();
            assertThat(client.isOpen()).as("an exchange in flight is not a slow head").isTrue();
            proxy.receive(proxy.upstream(0), "HTTP/1.1 204 No Content\r\n\r\n");
            proxy.settle(client);
            assertThat(sentBy(client)).startsWith("HTTP/1.1 204 ");
            client.advanceTimeBy(2_100, TimeUnit.MILLISECONDS);
            client.runScheduledPendingTasks();
            assertThat(client.isOpen()).as("idle after its answer: closed quietly").isFalse();
            client.finishAndReleaseAll();
        }
    }
}
