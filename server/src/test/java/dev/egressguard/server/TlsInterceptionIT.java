package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.CapturedLogs;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.Socks5;
import dev.egressguard.server.support.TestCa;
import dev.egressguard.server.support.TunnelClient;
import java.io.ByteArrayInputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS interception end to end (docs/tls.md): a real proxy with an ephemeral CA, HTTPS origins on
 * 127.0.0.1 with a test CA of their own, names under {@code eg.test} mapped to them by the loopback
 * DNS server, and real TLS clients — the JDK's HttpClient, and a hand-driven socket for what no
 * library would send.
 */
class TlsInterceptionIT {
    static final String SECRET = "s3cret-token-7f3a9c";
    static TestCa originCa;
    static HttpUpstream api;
    static HttpUpstream wrongName;
    static HttpUpstream untrusted;
    static HttpUpstream pinned;
    static ProxyHarness harness;
    static Path dir;
    static X509Certificate proxyCa;
    static SSLContext trustsProxy;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("eg-tls-it");
        originCa = TestCa.create("egressguard test origins");
        api = HttpUpstream.https("127.0.0.1", originCa.serverFor("api.eg.test"));
        wrongName = HttpUpstream.https("127.0.0.1", originCa.serverFor("someone-else.eg.test"));
        untrusted = HttpUpstream.https("127.0.0.1", TestCa.create("nobody trusts this").serverFor("untrusted.eg.test"));
        pinned = HttpUpstream.https("127.0.0.1", originCa.serverFor("pinned.eg.test"));
        Path token = Files.writeString(dir.resolve("token"), SECRET + "\n");
        String ports = api.port() + ", " + wrongName.port() + ", " + untrusted.port() + ", " + pinned.port();
        harness = new ProxyHarness("admin:\n  listen: 127.0.0.1:0\nsocks:\n  listen: 127.0.0.1:0\n"
                + "audit:\n  paths: true\n"
                + "allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + ports + "]\n    reason: test origins\n"
                + "tls:\n"
                + "  ca: ephemeral\n"
                + "  caCertOut: " + dir.resolve("ca.pem") + "\n"
                + "  upstreamTrust: [" + originCa.writePem(dir.resolve("origin-ca.pem")) + "]\n"
                + "  intercept:\n"
                + "    - host: api.eg.test\n"
                + "      rules:\n"
                + "        - {methods: [GET, HEAD], path: \"/repos/my-org/**\", action: allow}\n"
                + "        - {methods: [POST], path: /gists, action: deny, reason: no gists}\n"
                + "      credential:\n"
                + "        secret: {file: " + token + "}\n"
                + "        header: Authorization\n"
                + "        format: \"Bearer {secret}\"\n"
                + "    - host: wrongname.eg.test\n      rules: [{path: \"/**\", action: allow}]\n"
                + "    - host: untrusted.eg.test\n      rules: [{path: \"/**\", action: allow}]\n"
                + "  passthrough: [pinned.eg.test]\n");
        for (String name : List.of("api.eg.test", "wrongname.eg.test", "untrusted.eg.test", "pinned.eg.test", "other.eg.test")) {
            harness.dns.answer(name, List.of("127.0.0.1"));
        }
        proxyCa = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("ca.pem"))));
        trustsProxy = TestCa.clientTrusting(proxyCa);
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
        for (HttpUpstream u : List.of(api, wrongName, untrusted, pinned)) {
            u.close();
        }
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    private static HttpClient client(SSLContext trust) {
        return HttpClient.newBuilder().proxy(ProxySelector.of(harness.address())).sslContext(trust)
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpResponse<String> get(SSLContext trust, String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client(trust).send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static AuditEvent awaitInside(String mode, String reason) {
        return harness.audit.await(e -> e.event().equals("decision") && mode.equals(e.mode()) && reason.equals(e.reason()), Duration.ofSeconds(10));
    }

    @Test
    void anAllowedGetArrivesWithTheInjectedCredentialAndWithoutTheClientsOwn() throws Exception {
        HttpResponse<String> r = get(trustsProxy, "https://api.eg.test:" + api.port() + "/repos/my-org/tools?q=private",
                "Authorization", "Bearer agent-placeholder", "Cookie", "session=agent", "X-API-KEY", "agent-key");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello from upstream\n");
        java.security.cert.Certificate[] chain = r.sslSession().orElseThrow().getPeerCertificates();
        assertThat(((X509Certificate) chain[0]).getSubjectAlternativeNames()).containsExactly(List.of(2, "api.eg.test"));
        assertThat(((X509Certificate) chain[chain.length - 1]).getIssuerX500Principal()).isEqualTo(proxyCa.getSubjectX500Principal());
        HttpUpstream.Seen seen = api.seen().stream().filter(s -> s.uri().startsWith("/repos/my-org/tools")).findFirst().orElseThrow();
        assertThat(seen.headers().get("Authorization")).containsExactly("Bearer " + SECRET);
        assertThat(seen.headers()).doesNotContainKeys("Cookie", "X-api-key");
        AuditEvent inside = harness.audit.await(e -> e.event().equals("decision") && "intercept".equals(e.mode())
                && "/repos/my-org/tools".equals(e.path()), Duration.ofSeconds(10));
        assertThat(inside.verdict()).isEqualTo("allow");
        assertThat(inside.reason()).isEqualTo("http.rule_allowed");
        assertThat(inside.rule()).isEqualTo("tls.intercept[0].rules[0]");
        assertThat(inside.method()).isEqualTo("GET");
        assertThat(inside.host()).isEqualTo("api.eg.test");
        harness.audit.await(e -> e.event().equals("close") && "intercept".equals(e.mode()) && Integer.valueOf(200).equals(e.status()),
                Duration.ofSeconds(10));
        assertThat(harness.audit.jsonLines()).noneMatch(l -> l.contains("q=private") || l.contains(SECRET) || l.contains("agent-placeholder"));
    }

    @Test
    void aDeniedPostNeverReachesTheOrigin() throws Exception {
        HttpResponse<String> r = client(trustsProxy).send(HttpRequest.newBuilder(URI.create("https://api.eg.test:" + api.port() + "/gists"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"files\":{}}")).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("X-Egressguard-Reason")).contains("http.rule_denied");
        assertThat(r.body()).contains("\"reason\":\"http.rule_denied\"").contains("no gists");
        HttpResponse<String> unlisted = client(trustsProxy).send(HttpRequest.newBuilder(URI.create("https://api.eg.test:" + api.port()
                + "/repos/other-org/x")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unlisted.statusCode()).isEqualTo(403);
        assertThat(api.seen()).noneMatch(s -> s.method().equals("POST") || s.method().equals("DELETE"));
        assertThat(awaitInside("intercept", "http.rule_denied").verdict()).isEqualTo("deny");
        harness.audit.await(e -> e.event().equals("decision") && "tls.intercept[0].rules:none".equals(e.rule()), Duration.ofSeconds(10));
    }

    @Test
    void anSniOtherThanTheConnectHostFailsTheHandshakeForInterceptedAndPassthroughTunnels() throws Exception {
        try (TunnelClient t = TunnelClient.connect(harness.port(), "api.eg.test:" + api.port())) {
            assertThatThrownBy(() -> t.handshake(trustsProxy, "other.eg.test", List.of("http/1.1"))).isInstanceOf(java.io.IOException.class);
        }
        try (TunnelClient t = TunnelClient.connect(harness.port(), "pinned.eg.test:" + pinned.port())) {
            assertThatThrownBy(() -> t.handshake(TestCa.clientTrusting(originCa.certificate()), "other.eg.test", List.of()))
                    .isInstanceOf(java.io.IOException.class);
        }
        AuditEvent refused = awaitInside("tls", "tls.sni_mismatch");
        assertThat(refused.verdict()).isEqualTo("deny");
        assertThat(harness.audit.events()).filteredOn(e -> "tls".equals(e.mode()) && "tls.sni_mismatch".equals(e.reason())
                && "pinned.eg.test".equals(e.host())).isNotEmpty();
    }

    @Test
    void aHostOtherThanTheConnectHostIs421AndNothingIsDialled() throws Exception {
        int dialsBefore = harness.dials.dials().size();
        int seenBefore = api.seen().size();
        for (String hosts : List.of("Host: other.eg.test\r\n", "Host: api.eg.test:" + api.port() + "\r\nHost: api.eg.test:" + api.port() + "\r\n",
                "", "Host: api.eg.test\r\n")) {
            try (TunnelClient t = TunnelClient.connect(harness.port(), "api.eg.test:" + api.port())) {
                t.handshake(trustsProxy, "api.eg.test", List.of("http/1.1"));
                t.send("GET /repos/my-org/x HTTP/1.1\r\n" + hosts + "Authorization: Bearer agent\r\n\r\n");
                assertThat(t.readAll()).as(hosts).startsWith("HTTP/1.1 421 ").contains("http.host_mismatch");
            }
        }
        assertThat(harness.dials.dials()).hasSize(dialsBefore);
        assertThat(api.seen()).hasSize(seenBefore);
    }

    @Test
    void anOriginWithAWrongNameOrUntrustedCertificateIs502AndGetsNoRequest() throws Exception {
        HttpResponse<String> wrong = get(trustsProxy, "https://wrongname.eg.test:" + wrongName.port() + "/x");
        assertThat(wrong.statusCode()).isEqualTo(502);
        assertThat(wrong.headers().firstValue("Proxy-Status").orElseThrow()).contains("error=tls_certificate_error");
        HttpResponse<String> unknown = get(trustsProxy, "https://untrusted.eg.test:" + untrusted.port() + "/x");
        assertThat(unknown.statusCode()).isEqualTo(502);
        assertThat(unknown.headers().firstValue("Proxy-Status").orElseThrow()).contains("error=tls_certificate_error");
        assertThat(wrongName.seen()).isEmpty();
        assertThat(untrusted.seen()).isEmpty();
        harness.audit.await(e -> e.event().equals("close") && "intercept".equals(e.mode()) && "tls_certificate_error".equals(e.error())
                && "untrusted.eg.test".equals(e.host()), Duration.ofSeconds(10));
    }

    @Test
    void aPassthroughClientSeesTheOriginsOwnCertificate() throws Exception {
        HttpResponse<String> r = get(TestCa.clientTrusting(originCa.certificate()), "https://pinned.eg.test:" + pinned.port() + "/echo");
        assertThat(r.statusCode()).isEqualTo(200);
        X509Certificate leaf = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(originCa.certificate().getSubjectX500Principal());
        assertThat(harness.audit.events()).noneMatch(e -> "intercept".equals(e.mode()) && "pinned.eg.test".equals(e.host()));
    }

    @Test
    void anH2OnlyClientFailsAndIsAudited() throws Exception {
        try (TunnelClient t = TunnelClient.connect(harness.port(), "api.eg.test:" + api.port())) {
            assertThatThrownBy(() -> t.handshake(trustsProxy, "api.eg.test", List.of("h2"))).isInstanceOf(SSLHandshakeException.class);
        }
        assertThat(awaitInside("tls", "tls.alpn_unsupported").rule()).isEqualTo("tls:client-handshake");
    }

    @Test
    void aClientThatRejectsTheCertificateIsAuditedAndNeverPassedThrough() throws Exception {
        assertThatThrownBy(() -> get(TestCa.clientTrusting(originCa.certificate()), "https://api.eg.test:" + api.port() + "/repos/my-org/x"))
                .isInstanceOf(SSLHandshakeException.class);
        awaitInside("tls", "tls.client_rejected_certificate");
    }

    @Test
    void plainBytesOnAnInterceptedHostCloseTheTunnel() throws Exception {
        try (TunnelClient t = TunnelClient.connect(harness.port(), "api.eg.test:" + api.port())) {
            t.send("GET /repos/my-org/x HTTP/1.1\r\nHost: api.eg.test\r\n\r\n");
            assertThat(t.readAll()).isEmpty();
        }
        awaitInside("tls", "tls.not_tls");
    }

    @Test
    void aCleartextRequestToAnInterceptedHostIsRefused() throws Exception {
        String answer = harness.raw("GET http://api.eg.test:" + api.port() + "/repos/my-org/x HTTP/1.1\r\nHost: api.eg.test:" + api.port() + "\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 403 ").contains("tls.cleartext_refused");
    }

    @Test
    void socks5CannotReachAnInterceptedHostAndItsOtherTunnelsMeetTheSniCheck() throws Exception {
        java.net.InetSocketAddress socks = harness.proxy.socksAddress().orElseThrow();
        assertThat(Socks5.connect(socks, "api.eg.test", api.port(), null, null).code()).as("connection not allowed by ruleset").isEqualTo(2);
        assertThat(awaitInside("socks", "tls.cleartext_refused").rule()).isEqualTo("tls.intercept[0]");
        Socks5.Reply fronted = Socks5.connect(socks, "pinned.eg.test", pinned.port(), null, null);
        assertThat(fronted.code()).isZero();
        try (java.net.Socket s = fronted.socket()) {
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) TestCa.clientTrusting(originCa.certificate()).getSocketFactory()
                    .createSocket(s, "127.0.0.1", s.getPort(), true);
            javax.net.ssl.SSLParameters p = tls.getSSLParameters();
            p.setServerNames(List.of(new javax.net.ssl.SNIHostName("other.eg.test")));
            tls.setSSLParameters(p);
            assertThatThrownBy(tls::startHandshake).isInstanceOf(java.io.IOException.class);
        }
        Socks5.Reply honest = Socks5.connect(socks, "pinned.eg.test", pinned.port(), null, null);
        try (java.net.Socket s = honest.socket()) {
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) TestCa.clientTrusting(originCa.certificate()).getSocketFactory()
                    .createSocket(s, "pinned.eg.test", s.getPort(), true);
            tls.startHandshake();
            assertThat(tls.getSession().getPeerPrincipal().getName()).isEqualTo("CN=pinned.eg.test");
        }
    }

    @Test
    void theCaIsServedAtCaPemAndWrittenToCaCertOut() throws Exception {
        int admin = harness.proxy.adminAddress().orElseThrow().getPort();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/ca.pem")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(Files.readString(dir.resolve("ca.pem"), StandardCharsets.US_ASCII)).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void theSecretAppearsInNoLog() throws Exception {
        try (CapturedLogs logs = new CapturedLogs()) {
            get(trustsProxy, "https://api.eg.test:" + api.port() + "/repos/my-org/logs", "Authorization", "Bearer agent");
            get(trustsProxy, "https://api.eg.test:" + api.port() + "/gists");
            get(trustsProxy, "https://wrongname.eg.test:" + wrongName.port() + "/x");
            harness.audit.await(e -> e.event().equals("close") && "/repos/my-org/logs".equals(e.path()), Duration.ofSeconds(10));
            assertThat(logs.lines()).isNotEmpty().noneMatch(l -> l.contains(SECRET));
        }
        assertThat(harness.audit.jsonLines()).noneMatch(l -> l.contains(SECRET));
        assertThat(harness.proxy.policy().tls().toString()).doesNotContain(SECRET);
    }
}
