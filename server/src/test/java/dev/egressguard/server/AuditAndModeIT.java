package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.audit.AuditSink;
import dev.egressguard.server.audit.LogbackAuditSink;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.LoopbackDialGuard;
import dev.egressguard.server.support.ProxyHarness;
import java.net.ProxySelector;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What reaches the audit log (and what never does), and report mode. */
class AuditAndModeIT {
    private static final List<String> SECRETS = List.of("s3cr3t-query", "Bearer s3cr3t-token", "s3cr3t-cookie", "c2VjcmV0LXByb3h5",
            "s3cr3t-body", "s3cr3t-password", "/s3cr3t-path");

    @AfterAll
    static void leaks() throws Exception {
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    @Test
    void noBodyQueryHeaderValueOrCredentialReachesTheAuditLog(@TempDir Path dir) throws Exception {
        Path auditFile = dir.resolve("audit.jsonl");
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1")) {
            String yaml = "listen: 127.0.0.1:0\nallow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.port() + "]\n    reason: test origin\n"
                    + "audit:\n  file: " + auditFile + "\n";
            LoopbackDialGuard guard = new LoopbackDialGuard();
            LogbackAuditSink sink = LogbackAuditSink.create(auditFile);
            try (ProxyServer proxy = ProxyServer.start(PolicyFileLoader.parse(yaml, "t"), sink, guard)) {
                HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address())).build();
                for (String target : List.of("http://127.0.0.1:" + origin.port(), "http://169.254.169.254")) {
                    client.send(HttpRequest.newBuilder(URI.create(target + "/s3cr3t-path?token=s3cr3t-query"))
                            .header("Authorization", "Bearer s3cr3t-token").header("Cookie", "session=s3cr3t-cookie")
                            .header("Proxy-Authorization", "Basic c2VjcmV0LXByb3h5")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"s3cr3t-body\"}")).build(), HttpResponse.BodyHandlers.discarding());
                }
                String rawWithCredentials = "GET http://user:s3cr3t-password@127.0.0.1:" + origin.port() + "/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.address().getPort())) {
                    s.getOutputStream().write(rawWithCredentials.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    s.getInputStream().readAllBytes();
                }
            } finally {
                sink.close(); // flushes the asynchronous queue
            }
            assertThat(guard.violations()).isEmpty();
        }
        List<String> lines = Files.readAllLines(auditFile);
        assertThat(lines).hasSizeGreaterThanOrEqualTo(6);
        assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("{\"ts\":"));
        assertThat(String.join("\n", lines)).contains("\"reason\":\"ip.metadata\"").contains("\"reason\":\"allow.rule\"")
                .contains("\"rule\":\"request:userinfo\"");
        for (String secret : SECRETS) {
            assertThat(String.join("\n", lines)).as("audit log mentions " + secret).doesNotContain(secret);
        }
    }

    @Test
    void reportModeLogsWouldDenyAndLetsTrafficThrough() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1");
             ProxyHarness harness = new ProxyHarness("mode: report\n")) {
            harness.dns.answer("model.test", List.of("127.0.0.1"));
            String a = "127.0.0.1:" + origin.port();
            assertThat(harness.raw("GET http://" + a + "/echo HTTP/1.1\r\nHost: " + a + "\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200");
            String named = "model.test:" + origin.port();
            assertThat(harness.raw("GET http://" + named + "/echo HTTP/1.1\r\nHost: " + named + "\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200");
            AuditEvent literal = harness.audit.await(e -> e.event().equals("decision") && "127.0.0.1".equals(e.host()), Duration.ofSeconds(5));
            assertThat(literal.verdict()).isEqualTo("would_deny");
            assertThat(literal.reason()).isEqualTo("ip.loopback");
            AuditEvent byName = harness.audit.await(e -> e.event().equals("decision") && "model.test".equals(e.host()), Duration.ofSeconds(5));
            assertThat(byName.verdict()).isEqualTo("would_deny");
            assertThat(origin.seen()).hasSize(2);
            assertThat(harness.raw("GET http://0x7f.1:" + origin.port() + "/ HTTP/1.1\r\nHost: 0x7f.1:" + origin.port() + "\r\n\r\n"))
                    .as("malformed targets stay refused in report mode").startsWith("HTTP/1.1 403");
        }
    }

    @Test
    void clientsOutsideClientsAllowAreClosedBeforeAnyByteIsRead() throws Exception {
        try (ProxyHarness harness = new ProxyHarness("clients:\n  allow: [\"::1/128\"]\n")) {
            String answer;
            try {
                answer = harness.raw("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
            } catch (SocketException reset) {
                answer = ""; // closed with our request unread: the kernel answers with a reset, still not a byte
            }
            assertThat(answer).isEmpty();
            AuditEvent refused = harness.audit.await(e -> e.event().equals("decision"), Duration.ofSeconds(5));
            assertThat(refused.reason()).isEqualTo("client.not_allowed");
            assertThat(refused.host()).isNull();
        }
    }

    @Test
    void whenTheAuditLogCannotKeepUpRequestsAreRefusedNotPassedUnaudited() throws Exception {
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1")) {
            String yaml = "listen: 127.0.0.1:0\nallow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.port() + "]\n    reason: test origin\n";
            List<AuditEvent> emitted = new java.util.concurrent.CopyOnWriteArrayList<>();
            AuditSink backedUp = new AuditSink() {
                @Override
                public void emit(AuditEvent event) {
                    emitted.add(event);
                }

                @Override
                public boolean hasCapacity() {
                    return false;
                }
            };
            LoopbackDialGuard guard = new LoopbackDialGuard();
            try (ProxyServer proxy = ProxyServer.start(PolicyFileLoader.parse(yaml, "t"), backedUp, guard)) {
                HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address())).build();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + origin.port() + "/echo")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).contains("1");
                assertThat(r.headers().firstValue("X-Egressguard-Reason")).contains("proxy.audit_backlog");
                assertThat(r.body()).contains("proxy.audit_backlog");
            }
            assertThat(origin.seen()).as("nothing passes while it cannot be audited").isEmpty();
            assertThat(emitted).extracting(AuditEvent::reason).contains("proxy.audit_backlog");
            assertThat(guard.violations()).isEmpty();
        }
    }
}
