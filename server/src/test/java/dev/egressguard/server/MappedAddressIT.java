package dev.egressguard.server;

import static dev.egressguard.server.support.RawHttp.allow;
import static dev.egressguard.server.support.RawHttp.client;
import static dev.egressguard.server.support.RawHttp.readHead;
import static dev.egressguard.server.support.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.ProxyHarness;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * IPv4-mapped IPv6 addresses through the real proxy, as docs/policy.md says: an allow rule for
 * {@code 127.0.0.1/32} opens {@code [::ffff:127.0.0.1]} on its ports — as a literal, as a CONNECT
 * host and as an AAAA answer (which the JDK reads as the IPv4 address it carries) — and nothing
 * else; without a rule the mapped form is denied.
 */
class MappedAddressIT {

    @Test
    void aCidrRuleForTheIpv4OpensItsMappedFormOnItsPortsOnly() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness h = new ProxyHarness(allow(origin.port()))) {
            String mapped = "[::ffff:127.0.0.1]:" + origin.port();
            assertThat(h.raw("GET http://" + mapped + "/echo HTTP/1.1\r\nHost: " + mapped + "\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200 ");
            try (Socket tunnel = client(h)) {
                send(tunnel, "CONNECT " + mapped + " HTTP/1.1\r\n\r\n");
                assertThat(readHead(tunnel.getInputStream())).startsWith("HTTP/1.1 200 Connection established");
            }
            h.dns.answer("mapped.test", List.of("::ffff:127.0.0.1"));
            assertThat(h.raw("GET http://mapped.test:" + origin.port() + "/echo HTTP/1.1\r\nHost: mapped.test:" + origin.port()
                    + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
            AuditEvent byName = h.audit.awaitDecision("mapped.test");
            assertThat(byName.addresses()).as("the AAAA answer reaches the policy as the IPv4 it carries").containsExactly("127.0.0.1");
            assertThat(h.raw("GET http://[::ffff:127.0.0.1]:9/ HTTP/1.1\r\nConnection: close\r\n\r\n"))
                    .as("another port: the rule does not open it").startsWith("HTTP/1.1 403 Forbidden (egressguard: ip.embedded_ipv4)");
            assertThat(h.audit.await(e -> "deny".equals(e.verdict()), Duration.ofSeconds(5)).rule()).isEqualTo("default:::ffff:0:0/96");
            assertThat(origin.seen()).hasSize(2);
        }
    }

    @Test
    void withoutARuleTheMappedFormIsDenied() throws Exception {
        try (ProxyHarness h = new ProxyHarness("")) {
            assertThat(h.raw("CONNECT [::ffff:169.254.169.254]:443 HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 403 Forbidden (egressguard: ip.embedded_ipv4)");
            assertThat(h.dials.dials()).isEmpty();
        }
    }
}
