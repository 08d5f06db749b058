package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.ProxyServer;
import dev.egressguard.server.support.LoopbackDialGuard;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.RecordingAuditSink;
import dev.egressguard.server.support.TestDnsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code validate} against real proxies. Every real-process proxy gets {@code --scope loopback}
 * only; {@code --scope all} runs only against an in-process egressguard whose every dial passes
 * the loopback dial guard, so no test makes any proxy send a packet off this machine.
 */
class ValidateIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Opens every address on every port, for the permissive case (metadata opens only for exact rules, and stays shut). */
    static final String ALLOW_ALL = "allow:\n  - cidr: 0.0.0.0/0\n    reason: validate test, deliberately permissive\n"
            + "  - cidr: ::/0\n    reason: validate test, deliberately permissive\n";

    private static JsonNode validate(String proxyUrl, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("validate", "--proxy", proxyUrl, "--json", "--timeout", "3s"));
        args.addAll(List.of(more));
        CommandRun r = CommandRun.of(args.toArray(String[]::new));
        assertThat(r.err()).as("stderr").isEmpty();
        JsonNode report = JSON.readTree(r.out());
        int expected = report.at("/summary/leak").asInt() > 0 || report.at("/summary/not_proven").asInt() > 0 ? 1 : 0;
        assertThat(r.exit()).as("exit code of " + r.out()).isEqualTo(expected);
        return report;
    }

    private static JsonNode probe(JsonNode report, String id) {
        for (JsonNode p : report.get("probes")) {
            if (p.get("id").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no probe " + id + " in " + report);
    }

    private static List<String> idsWith(JsonNode report, String result) {
        List<String> out = new ArrayList<>();
        report.get("probes").forEach(p -> {
            if (p.get("result").asText().equals(result)) {
                out.add(p.get("id").asText());
            }
        });
        return out;
    }

    @Test
    void egressguardOnItsDefaultPolicyLeaksNothingOnLoopback() throws Exception {
        try (ProxyHarness harness = new ProxyHarness("")) {
            harness.dns.answer("rebind.test", List.of("127.0.0.1"));
            JsonNode report = validate("http://127.0.0.1:" + harness.port(), "--scope", "loopback", "--dns-rebind", "rebind.test");
            assertThat(report.at("/summary/leak").asInt()).isZero();
            assertThat(report.at("/summary/not_proven").asInt()).isZero();
            assertThat(report.at("/summary/blocked").asInt()).isGreaterThan(55);
            assertThat(probe(report, "dns_rebinding/rebind.test/get").get("reason").asText()).contains("ip.loopback");
            assertThat(probe(report, "public/example.com/connect").get("result").asText()).isEqualTo("skipped");
            assertThat(harness.dials.dials()).as("the proxy dialled nothing").isEmpty();
        }
    }

    @Test
    void egressguardOnItsDefaultPolicyBlocksEveryRowInScopeAll() throws Exception {
        try (ProxyHarness harness = new ProxyHarness("")) {
            JsonNode report = validate("http://127.0.0.1:" + harness.port(), "--scope", "all", "--public-url", "http://public.test/");
            assertThat(idsWith(report, "leak")).isEmpty();
            assertThat(idsWith(report, "not_proven")).isEmpty();
            assertThat(report.at("/summary/blocked").asInt()).isGreaterThan(200);
            assertThat(probe(report, "metadata/169.254.169.254/connect").get("reason").asText()).contains("ip.metadata");
            assertThat(probe(report, "metadata/metadata.google.internal/get").get("reason").asText()).contains("host.blocked_name");
            // the public name does not resolve on the test DNS server: no route out, so skipped, not failed
            assertThat(probe(report, "public/public.test/get").get("result").asText()).isEqualTo("skipped");
            assertThat(harness.dials.dials()).as("the proxy dialled nothing").isEmpty();
        }
    }

    /** An in-process egressguard with {@link #ALLOW_ALL}, every dial through {@code guard}, names answered by {@code dns}. */
    private static ProxyServer permissive(TestDnsServer dns, LoopbackDialGuard guard) throws Exception {
        String yaml = "listen: 127.0.0.1:0\ndns:\n  servers: [\"127.0.0.1:" + dns.port() + "\"]\n  timeout: 2s\n" + ALLOW_ALL;
        return ProxyServer.start(PolicyFileLoader.parse(yaml, "permissive test policy"), new RecordingAuditSink(), guard);
    }

    @Test
    void aPermissiveEgressguardLeaksAndEveryLeakIsNamed() throws Exception {
        LoopbackDialGuard guard = new LoopbackDialGuard();
        JsonNode report;
        try (TestDnsServer dns = new TestDnsServer()) {
            dns.answer("rebind.test", List.of("127.0.0.1"));
            ProxyServer proxy = permissive(dns, guard);
            try {
                report = validate("http://127.0.0.1:" + proxy.address().getPort(), "--scope", "loopback", "--dns-rebind", "rebind.test");
            } finally {
                proxy.close();
            }
        }
        assertThat(idsWith(report, "leak")).contains("loopback_v4/127.0.0.1/get", "loopback_v4/127.0.0.1/connect",
                "loopback_v4/127.255.255.254/get", "loopback_v6/[::1]/connect", "mapped_compatible/[::ffff:127.0.0.1]/get",
                "websocket/127.0.0.1/websocket", "dns_rebinding/rebind.test/connect");
        assertThat(probe(report, "loopback_v4/127.0.0.1/get").get("detail").asText()).contains("received the run token");
        // names and legacy spellings stay denied by egressguard's host rules even with allow-all CIDRs
        assertThat(probe(report, "loopback_v4/localhost/get").get("result").asText()).isEqualTo("blocked");
        assertThat(probe(report, "loopback_v4/0x7f000001/connect").get("result").asText()).isEqualTo("blocked");
        // 0.0.0.0 and :: land on loopback, but the test guard refuses them as not 127/8 or ::1: no canary hit, a 500
        assertThat(probe(report, "unspecified/0.0.0.0/get").get("status").asInt()).isEqualTo(500);
        assertThat(guard.violations()).isNotEmpty().allMatch(a -> a.getAddress().isAnyLocalAddress());
        assertThat(guard.dials()).filteredOn(a -> !a.getAddress().isAnyLocalAddress()).isNotEmpty()
                .allMatch(a -> a.getAddress().isLoopbackAddress());
    }

    /** Scope all against a permissive proxy: the dial guard refuses every non-loopback dial, and the report says "not proven". */
    @Test
    void aPermissiveEgressguardInScopeAllIsStoppedOnlyByTheDialGuard() throws Exception {
        LoopbackDialGuard guard = new LoopbackDialGuard();
        JsonNode report;
        try (TestDnsServer dns = new TestDnsServer()) {
            ProxyServer proxy = permissive(dns, guard);
            try {
                report = validate("http://127.0.0.1:" + proxy.address().getPort(), "--scope", "all", "--public-url", "http://public.test/");
            } finally {
                proxy.close();
            }
        }
        assertThat(idsWith(report, "leak")).allMatch(id -> !id.startsWith("private/") && !id.startsWith("metadata/")
                && !id.startsWith("link_local/")).contains("loopback_v4/127.0.0.1/get");
        JsonNode refused = probe(report, "private/10.0.0.0/connect");
        assertThat(refused.get("result").asText()).isEqualTo("not_proven");
        assertThat(refused.get("status").asInt()).isEqualTo(500);
        assertThat(refused.get("reason").asText()).startsWith("proxy_internal_error");
        assertThat(probe(report, "metadata/169.254.169.254/get").get("result").asText()).isEqualTo("blocked");
        // every non-loopback dial was refused by the guard before a socket existed; everything it let through was loopback
        assertThat(guard.violations()).isNotEmpty().allMatch(a -> !a.getAddress().isLoopbackAddress());
        List<InetSocketAddress> allowed = new ArrayList<>(guard.dials());
        allowed.removeAll(guard.violations());
        assertThat(allowed).isNotEmpty().allMatch(a -> a.getAddress().isLoopbackAddress());
    }

    @Test
    void egressguardAsAProcessOnItsDefaultPolicyLeaksNothing() throws Exception {
        Path jar = Path.of("target/egressguard.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path err = Files.createTempFile("eg-validate-proxy", ".err");
        Process proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "proxy", "--listen", "127.0.0.1:0").redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String port = null;
            for (int i = 0; i < 300 && port == null; i++) {
                Matcher m = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(Files.readString(err));
                if (m.find()) {
                    port = m.group(1);
                } else {
                    Thread.sleep(100);
                }
            }
            assertThat(port).as("banner in " + Files.readString(err)).isNotNull();
            JsonNode report = validate("http://127.0.0.1:" + port, "--scope", "loopback");
            assertThat(idsWith(report, "leak")).isEmpty();
            assertThat(idsWith(report, "not_proven")).isEmpty();
        } finally {
            proxy.toHandle().destroy();
            if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                proxy.toHandle().destroyForcibly();
            }
            Files.deleteIfExists(err);
        }
    }

    @Test
    void squidWithItsStockConfigurationLeaksLoopback() throws Exception {
        try (StockProxy squid = StockProxy.squid()) {
            JsonNode report = validate(squid.url(), "--scope", "loopback");
            assertThat(idsWith(report, "leak")).contains("loopback_v4/127.0.0.1/get", "loopback_v4/localhost/get",
                    "loopback_v6/[::1]/get", "mapped_compatible/[::ffff:127.0.0.1]/get", "websocket/127.0.0.1/websocket");
            // the stock config refuses CONNECT to any port but 443 (SSL_ports): blocked for that reason, canary untouched
            assertThat(probe(report, "loopback_v4/127.0.0.1/connect").get("reason").asText()).isEqualTo("ERR_ACCESS_DENIED");
            CommandRun text = CommandRun.of("validate", "--proxy", squid.url(), "--scope", "loopback", "--timeout", "3s");
            assertThat(text.exit()).isEqualTo(ExitCodes.FINDINGS);
            assertThat(text.out()).contains("127.0.0.1  ").contains("LEAK").containsPattern("\\d+ blocked, \\d+ leaks, 0 not proven, 1 skipped");
            Files.writeString(Path.of("target/validate-squid-stock.txt"), text.out());
        }
    }

    @Test
    void tinyproxyWithItsStockConfigurationLeaksLoopbackThroughGetAndConnect() throws Exception {
        try (StockProxy tinyproxy = StockProxy.tinyproxy()) {
            JsonNode report = validate(tinyproxy.url(), "--scope", "loopback");
            assertThat(idsWith(report, "leak")).contains("loopback_v4/127.0.0.1/get", "loopback_v4/127.0.0.1/connect",
                    "loopback_v6/[::1]/connect", "unspecified/0.0.0.0/connect", "websocket/127.0.0.1/websocket");
            assertThat(probe(report, "loopback_v4/127.0.0.1/connect").get("detail").asText()).contains("the tunnel carried the token");
        }
    }
}
