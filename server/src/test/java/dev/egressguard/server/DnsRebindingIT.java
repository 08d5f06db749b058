package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.SinkListener;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The proxy resolves names itself, with a real DNS server on loopback UDP answering. The origin
 * listens on 127.0.0.2 (opened by an allow rule); a sink listens on 127.0.0.1 at the same port
 * and must never see a connection, whatever DNS says next.
 */
class DnsRebindingIT {
    static HttpUpstream origin;
    static SinkListener sink;
    static ProxyHarness harness;

    @BeforeAll
    static void start() throws Exception {
        origin = HttpUpstream.http("127.0.0.2");
        sink = new SinkListener("127.0.0.1", origin.port());
        harness = new ProxyHarness("allow:\n  - cidr: 127.0.0.2/32\n    ports: [" + origin.port() + "]\n    reason: the allowed origin\n"
                + "  - cidr: 127.0.0.3/32\n    ports: [" + origin.port() + "]\n    reason: an allowed address where nothing listens\n");
    }

    @AfterAll
    static void stop() throws Exception {
        assertThat(sink.connections()).as("connections reaching the denied address").isZero();
        harness.close();
        sink.close();
        origin.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    private static String get(String host) throws Exception {
        String a = host + ":" + origin.port();
        return harness.raw("GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nConnection: close\r\n\r\n");
    }

    @Test
    void aNameThatRebindsToLoopbackIsDeniedOnTheNextResolution() throws Exception {
        harness.dns.answer("rebind.test", List.of("127.0.0.2"), List.of("127.0.0.1"));
        assertThat(get("rebind.test")).startsWith("HTTP/1.1 200").contains("GET /echo body=0");
        String second = get("rebind.test");
        assertThat(second).startsWith("HTTP/1.1 403").contains("X-Egressguard-Reason: ip.loopback");
        assertThat(harness.dns.queries("rebind.test")).isEqualTo(2);
        AuditEvent denied = harness.audit.await(e -> e.event().equals("decision") && "rebind.test".equals(e.host())
                && "deny".equals(e.verdict()), Duration.ofSeconds(5));
        assertThat(denied.addresses()).containsExactly("127.0.0.1");
    }

    @Test
    void aVettedAddressThatRefusesFallsThroughToTheNextOne() throws Exception {
        harness.dns.answer("fallback.test", List.of("127.0.0.3", "127.0.0.2"));
        assertThat(get("fallback.test")).startsWith("HTTP/1.1 200");
        AuditEvent close = harness.audit.await(e -> e.event().equals("close") && "fallback.test".equals(e.host()), Duration.ofSeconds(5));
        assertThat(close.address()).isEqualTo("127.0.0.2");
        assertThat(harness.dials.dials()).extracting(a -> a.getAddress().getHostAddress()).contains("127.0.0.3", "127.0.0.2");
    }

    @Test
    void whenNoVettedAddressAnswersTheClientGetsAnUpstreamErrorNotADenial() throws Exception {
        String a = "127.0.0.3:" + origin.port();
        String answer = harness.raw("GET http://" + a + "/ HTTP/1.1\r\nHost: " + a + "\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 502").contains("Proxy-Status: egressguard; error=connection_refused");
        assertThat(answer).doesNotContain("X-Egressguard-Reason");
    }

    @Test
    void aMixedAnswerIsDeniedWhole() throws Exception {
        harness.dns.answer("mixed.test", List.of("127.0.0.2", "127.0.0.1"));
        String answer = get("mixed.test");
        assertThat(answer).startsWith("HTTP/1.1 403").contains("ip.loopback");
        AuditEvent d = harness.audit.await(e -> e.event().equals("decision") && "mixed.test".equals(e.host()), Duration.ofSeconds(5));
        assertThat(d.addresses()).containsExactly("127.0.0.2", "127.0.0.1");
        assertThat(d.verdict()).isEqualTo("deny");
    }

    @Test
    void namesAreCheckedBeforeAnyQueryIsSent() throws Exception {
        for (String host : List.of("localhost", "foo.localhost", "metadata.google.internal", "0x7f000002", "127.2")) {
            assertThat(get(host)).as(host).startsWith("HTTP/1.1 403");
            assertThat(harness.dns.queries(host)).as("DNS queries for " + host).isZero();
        }
    }

    @Test
    void unknownNamesAndTimeoutsAreUpstreamErrorsNotPolicyDenials() throws Exception {
        String nx = get("nx.test");
        assertThat(nx).startsWith("HTTP/1.1 502").contains("Proxy-Status: egressguard; error=dns_error");
        harness.dns.silence("slow.test");
        String slow = get("slow.test");
        assertThat(slow).startsWith("HTTP/1.1 504").contains("Proxy-Status: egressguard; error=dns_timeout");
        AuditEvent d = harness.audit.await(e -> e.event().equals("decision") && "slow.test".equals(e.host()), Duration.ofSeconds(5));
        assertThat(d.reason()).isEqualTo("dns.timeout");
        assertThat(d.verdict()).isEqualTo("deny");
    }

    @Test
    void anAnswerOfOnlyPublicLookingLoopbackStandInsStillPassesThroughTheClassifier() throws Exception {
        harness.dns.answer("metadata-ish.test", List.of("169.254.169.254"));
        String answer = get("metadata-ish.test");
        assertThat(answer).startsWith("HTTP/1.1 403").contains("X-Egressguard-Reason: ip.metadata");
        assertThat(harness.dials.dials()).noneMatch(a -> a.getAddress().getHostAddress().startsWith("169.254"));
    }
}
