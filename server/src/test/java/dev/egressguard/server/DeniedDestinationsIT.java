package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.SinkListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The default policy against every loopback, private, link-local, metadata, special-use and
 * embedded-IPv4 form of the spec's table, as CONNECT and as absolute-form requests. Loopback forms
 * aim at a sink listener that must see nothing; every other form is stopped before any dial (the
 * dial guard would fail the test on a non-loopback dial).
 */
class DeniedDestinationsIT {
    static ProxyHarness harness;
    static SinkListener sink;

    @BeforeAll
    static void start() throws Exception {
        harness = new ProxyHarness("");
        sink = new SinkListener("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() throws Exception {
        assertThat(sink.connections()).as("connections reaching the loopback sink").isZero();
        assertThat(harness.dials.dials()).as("upstream dials under the default policy").isEmpty();
        sink.close();
        harness.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    static Stream<Arguments> deniedForms() {
        String s = Integer.toString(sink.port());
        return Stream.of(
                Arguments.of("127.0.0.1:" + s, "ip.loopback", "destination_ip_prohibited"),
                Arguments.of("127.255.255.254:" + s, "ip.loopback", "destination_ip_prohibited"),
                Arguments.of("[::1]:" + s, "ip.loopback", "destination_ip_prohibited"),
                Arguments.of("localhost:" + s, "host.blocked_name", "http_request_denied"),
                Arguments.of("LocalHost.:" + s, "host.blocked_name", "http_request_denied"),
                Arguments.of("localhost.localdomain:" + s, "host.blocked_name", "http_request_denied"),
                Arguments.of("api.localhost:" + s, "host.blocked_name", "http_request_denied"),
                Arguments.of("127.1:" + s, "host.legacy_ipv4_literal", "http_request_denied"),
                Arguments.of("0177.0.0.1:" + s, "host.legacy_ipv4_literal", "http_request_denied"),
                Arguments.of("0x7f000001:" + s, "host.legacy_ipv4_literal", "http_request_denied"),
                Arguments.of("2130706433:" + s, "host.legacy_ipv4_literal", "http_request_denied"),
                Arguments.of("[::ffff:127.0.0.1]:" + s, "ip.embedded_ipv4", "destination_ip_prohibited"),
                Arguments.of("[::ffff:7f00:1]:" + s, "ip.embedded_ipv4", "destination_ip_prohibited"),
                Arguments.of("[::127.0.0.1]:" + s, "ip.embedded_ipv4", "destination_ip_prohibited"),
                Arguments.of("[64:ff9b::127.0.0.1]:" + s, "ip.embedded_ipv4", "destination_ip_prohibited"),
                Arguments.of("[64:ff9b:1::7f00:1]:" + s, "ip.embedded_ipv4", "destination_ip_prohibited"),
                Arguments.of("[2002:7f00:1::]:" + s, "ip.embedded_ipv4", "destination_ip_prohibited"),
                Arguments.of("[2001::80ff:fefe]:" + s, "ip.embedded_ipv4", "destination_ip_prohibited"),
                Arguments.of("[2001:4860:1::5efe:7f00:1]:" + s, "ip.embedded_ipv4", "destination_ip_prohibited"),
                Arguments.of("0.0.0.0:" + s, "ip.unspecified", "destination_ip_prohibited"),
                Arguments.of("[::]:" + s, "ip.unspecified", "destination_ip_prohibited"),
                Arguments.of("169.254.169.254:80", "ip.metadata", "destination_ip_prohibited"),
                Arguments.of("[::ffff:169.254.169.254]:80", "ip.embedded_ipv4", "destination_ip_prohibited"),
                Arguments.of("[fd00:ec2::254]:80", "ip.metadata", "destination_ip_prohibited"),
                Arguments.of("100.100.100.200:80", "ip.metadata", "destination_ip_prohibited"),
                Arguments.of("metadata.google.internal:80", "host.blocked_name", "http_request_denied"),
                Arguments.of("169.254.1.1:80", "ip.link_local", "destination_ip_prohibited"),
                Arguments.of("[fe80::1]:80", "ip.link_local", "destination_ip_prohibited"),
                Arguments.of("10.0.0.1:80", "ip.private", "destination_ip_prohibited"),
                Arguments.of("172.16.0.1:80", "ip.private", "destination_ip_prohibited"),
                Arguments.of("192.168.1.1:80", "ip.private", "destination_ip_prohibited"),
                Arguments.of("100.64.0.1:80", "ip.cgnat", "destination_ip_prohibited"),
                Arguments.of("198.18.0.1:80", "ip.benchmark", "destination_ip_prohibited"),
                Arguments.of("[2001:2::1]:80", "ip.benchmark", "destination_ip_prohibited"),
                Arguments.of("192.0.0.8:80", "ip.special_use", "destination_ip_prohibited"),
                Arguments.of("192.0.2.1:80", "ip.documentation", "destination_ip_prohibited"),
                Arguments.of("198.51.100.1:80", "ip.documentation", "destination_ip_prohibited"),
                Arguments.of("203.0.113.1:80", "ip.documentation", "destination_ip_prohibited"),
                Arguments.of("[2001:db8::1]:80", "ip.documentation", "destination_ip_prohibited"),
                Arguments.of("224.0.0.1:80", "ip.multicast", "destination_ip_prohibited"),
                Arguments.of("[ff02::1]:80", "ip.multicast", "destination_ip_prohibited"),
                Arguments.of("240.0.0.1:80", "ip.reserved", "destination_ip_prohibited"),
                Arguments.of("255.255.255.255:80", "ip.reserved", "destination_ip_prohibited"),
                Arguments.of("[fc00::1]:80", "ip.unique_local", "destination_ip_prohibited"),
                Arguments.of("[fec0::1]:80", "ip.site_local", "destination_ip_prohibited"),
                Arguments.of("[100::1]:80", "ip.special_use", "destination_ip_prohibited"),
                Arguments.of("[2001:20::1]:80", "ip.special_use", "destination_ip_prohibited"),
                Arguments.of("svc.local:80", "host.blocked_name", "http_request_denied"),
                Arguments.of("db.internal:80", "host.blocked_name", "http_request_denied"));
    }

    @ParameterizedTest(name = "CONNECT {0} -> {1}")
    @MethodSource("deniedForms")
    void connectIsDenied(String authority, String reason, String error) throws IOException {
        String answer = harness.raw("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
        assertDenied(answer, reason, error);
    }

    @ParameterizedTest(name = "GET http://{0}/ -> {1}")
    @MethodSource("deniedForms")
    void absoluteFormIsDenied(String authority, String reason, String error) throws IOException {
        String answer = harness.raw("GET http://" + authority + "/latest/meta-data/?token=s3cr3t HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
        assertDenied(answer, reason, error);
    }

    private static void assertDenied(String answer, String reason, String error) {
        assertThat(answer).startsWith("HTTP/1.1 403 Forbidden (egressguard: " + reason + ")\r\n");
        assertThat(answer).contains("Proxy-Status: egressguard; error=" + error + "; details=\"" + reason);
        assertThat(answer).contains("X-Egressguard-Reason: " + reason + "\r\n");
        assertThat(answer).contains("egressguard: denied by policy: " + reason);
        assertThat(answer).doesNotContain("s3cr3t");
    }

    @Test
    void deniedRequestsAreAuditedWithReasonAndRule() throws IOException {
        harness.audit.clear();
        harness.raw("GET http://169.254.169.254/latest/meta-data/iam HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n");
        AuditEvent decision = harness.audit.awaitDecision("169.254.169.254");
        assertThat(decision.verdict()).isEqualTo("deny");
        assertThat(decision.reason()).isEqualTo("ip.metadata");
        assertThat(decision.rule()).isEqualTo("default:169.254.169.254/32");
        assertThat(decision.mode()).isEqualTo("forward");
        AuditEvent close = harness.audit.awaitClose("169.254.169.254");
        assertThat(close.status()).isEqualTo(403);
        assertThat(close.error()).isEqualTo("destination_ip_prohibited");
        assertThat(close.bytesDown()).isGreaterThan(100L);
    }

    /** The spec's Validation section, with curl as the spec writes it. */
    @Test
    void theSpecsCurlChecksFailAtTheProxy() throws Exception {
        for (String url : List.of("http://127.0.0.1/", "http://169.254.169.254/")) {
            Process p = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x",
                    "http://127.0.0.1:" + harness.port(), url).redirectErrorStream(true).start();
            p.getOutputStream().close();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).as(url).isEqualTo("403");
        }
    }
}
