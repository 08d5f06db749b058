package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.server.ProxyServer;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.LoopbackDialGuard;
import dev.egressguard.server.support.RawHttp;
import dev.egressguard.server.support.RecordingAuditSink;
import dev.egressguard.server.support.TestDnsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check --policy FILE NAME} resolves exactly as that policy's proxy does: the policy's
 * {@code dns.servers} (a real DNS server on loopback UDP), {@code /etc/hosts}, no search domains,
 * {@code dns.timeout}. For each name the test asks a real proxy (CONNECT) and {@code check}, and
 * compares the proxy's decision event with check's answer.
 */
class CheckResolvesAsTheProxyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterAll
    static void leaks() throws Exception {
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    @Test
    void checkAndTheProxyGiveTheSameAnswerForEveryName(@TempDir Path dir) throws Exception {
        String hostsName = hostsFileName().orElse(null);
        try (TestDnsServer dns = new TestDnsServer()) {
            dns.answer("loop.check.test", List.of("127.0.0.5"));
            dns.answer("mixed.check.test", List.of("93.184.216.34", "10.1.2.3"));
            dns.answer("mapped.check.test", List.of("::ffff:127.0.0.1"));
            dns.silence("slow.check.test");
            Path policy = dir.resolve("policy.yaml");
            Files.writeString(policy, "listen: 127.0.0.1:0\ndns:\n  servers: [\"127.0.0.1:" + dns.port() + "\"]\n  timeout: 500ms\n"
                    + "allow:\n  - cidr: 127.0.0.1/32\n    ports: [443]\n    reason: the local model server\n");
            RecordingAuditSink audit = new RecordingAuditSink();
            LoopbackDialGuard dials = new LoopbackDialGuard();
            List<String> names = new ArrayList<>(List.of("loop.check.test", "mixed.check.test", "nx.check.test", "slow.check.test",
                    "mapped.check.test"));
            if (hostsName != null) {
                names.add(hostsName);
            }
            try (ProxyServer proxy = ProxyServer.start(PolicyFileLoader.load(policy), audit, dials)) {
                for (String name : names) {
                    AuditEvent byProxy = connect(proxy, audit, name);
                    JsonNode byCheck = check(policy, name + ":8443");
                    assertThat(byCheck.get("verdict").asText()).as("verdict for %s", name).isEqualTo(byProxy.verdict());
                    assertThat(byCheck.get("reason").asText()).as("reason for %s", name).isEqualTo(byProxy.reason());
                    assertThat(byCheck.get("rule").isNull() ? null : byCheck.get("rule").asText()).as("rule for %s", name)
                            .isEqualTo(byProxy.rule());
                    List<String> addresses = new ArrayList<>();
                    byCheck.get("addresses").forEach(a -> addresses.add(a.asText()));
                    assertThat(addresses).as("addresses for %s", name).isEqualTo(byProxy.addresses() == null ? List.of() : byProxy.addresses());
                }
            }
            assertThat(dials.violations()).isEmpty();
            // and what they agree on
            assertThat(check(policy, "loop.check.test").get("reason").asText()).isEqualTo("ip.loopback");
            assertThat(check(policy, "loop.check.test").get("addresses").get(0).asText()).isEqualTo("127.0.0.5");
            assertThat(check(policy, "mixed.check.test").get("reason").asText()).isEqualTo("ip.private");
            assertThat(check(policy, "nx.check.test").get("reason").asText()).isEqualTo("dns.error");
            assertThat(check(policy, "nx.check.test").get("rule").asText()).isEqualTo("dns:nxdomain");
            assertThat(check(policy, "slow.check.test").get("reason").asText()).isEqualTo("dns.timeout");
            assertThat(dns.queries("loop.check.test")).as("asked the policy's DNS server").isPositive();
            // an AAAA answer holding ::ffff:127.0.0.1 reaches the policy as 127.0.0.1 (docs/policy.md, allow rules)
            JsonNode mapped = check(policy, "mapped.check.test:443");
            assertThat(mapped.get("reason").asText()).isEqualTo("allow.rule");
            assertThat(mapped.get("addresses").get(0).asText()).isEqualTo("127.0.0.1");
            assertThat(check(policy, "mapped.check.test:8443").get("reason").asText()).isEqualTo("ip.loopback");
            if (hostsName != null) {
                JsonNode fromHosts = check(policy, hostsName);
                assertThat(fromHosts.get("verdict").asText()).isEqualTo("deny");
                assertThat(dns.queries(hostsName)).as("/etc/hosts answered " + hostsName + ", not DNS").isZero();
            }
        }
        Assumptions.assumeTrue(hostsName != null, "/etc/hosts names no host the default policy would resolve");
    }

    /** A CONNECT through the proxy, refused or answered; the proxy's decision event for it. */
    private static AuditEvent connect(ProxyServer proxy, RecordingAuditSink audit, String name) throws IOException {
        try (Socket s = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), proxy.address().getPort())) {
            s.setSoTimeout(5000);
            RawHttp.send(s, "CONNECT " + name + ":8443 HTTP/1.1\r\nHost: " + name + ":8443\r\n\r\n");
            assertThat(RawHttp.readHead(s.getInputStream())).as("the proxy's answer for %s", name).startsWith("HTTP/1.1 ");
        }
        return audit.awaitDecision(name);
    }

    private static JsonNode check(Path policy, String target) throws IOException {
        CommandRun run = CommandRun.of("check", "--policy", policy.toString(), "--json", target);
        assertThat(run.err()).as("check's errors for %s", target).isEmpty();
        return JSON.readTree(run.out());
    }

    /**
     * A name only {@code /etc/hosts} answers here (not localhost, which the host rules deny before
     * any lookup) whose addresses are all loopback: the proxy denies it without dialling.
     */
    private static Optional<String> hostsFileName() throws IOException {
        Path hosts = Path.of("/etc/hosts");
        if (!Files.isReadable(hosts)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(hosts, StandardCharsets.UTF_8)) {
            String[] f = line.replaceAll("#.*", "").strip().split("\\s+");
            if (f.length < 2 || IpLiterals.tryParse(f[0]).filter(a -> a.toInetAddress().isLoopbackAddress()).isEmpty()) {
                continue;
            }
            for (int i = 1; i < f.length; i++) {
                String name = f[i].toLowerCase(Locale.ROOT);
                if (!name.contains("localhost") && name.matches("[a-z0-9][a-z0-9.-]*") && !name.endsWith(".local") && !name.endsWith(".internal")) {
                    return Optional.of(name);
                }
            }
        }
        return Optional.empty();
    }
}
