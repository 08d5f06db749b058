package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plain HTTP forwarding through a real proxy to a real loopback origin, opened by an explicit
 * allow rule as an operator opens a local model server, with unmodified clients: JDK HttpClient,
 * HttpURLConnection, OkHttp and curl.
 */
class ForwardingIT {
    static HttpUpstream origin;
    static ProxyHarness harness;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        origin = HttpUpstream.http("127.0.0.1");
        harness = new ProxyHarness("allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.port() + "]\n    reason: test origin\n");
        base = "http://127.0.0.1:" + origin.port();
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
        origin.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    @BeforeEach
    void reset() {
        harness.audit.clear();
        origin.seen().clear();
    }

    private static HttpClient jdkClient() {
        return HttpClient.newBuilder().proxy(ProxySelector.of(harness.address())).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void jdkHttpClientGetsThroughAndTheOriginSeesOriginFormWithoutProxyHeaders() throws Exception {
        HttpResponse<String> r = jdkClient().send(HttpRequest.newBuilder(URI.create(base + "/echo?q=1"))
                .header("Proxy-Authorization", "Basic c2VjcmV0").header("X-Keep", "yes").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET /echo?q=1 body=0\n");
        HttpUpstream.Seen seen = origin.seen().get(0);
        assertThat(seen.uri()).isEqualTo("/echo?q=1");
        assertThat(seen.headers().keySet()).noneMatch(h -> h.toLowerCase().startsWith("proxy-"));
        assertThat(seen.headers()).containsKey("X-keep");
        AuditEvent decision = harness.audit.awaitDecision("127.0.0.1");
        assertThat(decision.verdict()).isEqualTo("allow");
        assertThat(decision.reason()).isEqualTo("allow.rule");
        assertThat(decision.rule()).isEqualTo("allow[0]:127.0.0.1/32");
        AuditEvent close = harness.audit.awaitClose("127.0.0.1");
        assertThat(close.status()).isEqualTo(200);
        assertThat(close.address()).isEqualTo("127.0.0.1");
        assertThat(close.bytesUp()).isPositive();
        assertThat(close.bytesDown()).isPositive();
    }

    @Test
    void aPortTheRuleDoesNotNameIsDenied() throws Exception {
        HttpResponse<String> r = jdkClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (origin.port() == 1 ? 2 : 1) + "/"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Proxy-Status")).hasValueSatisfying(v -> assertThat(v).contains("destination_ip_prohibited"));
        assertThat(origin.seen()).isEmpty();
    }

    @Test
    void httpUrlConnectionPostsAChunkedBody() throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL(base + "/echo").openConnection(new Proxy(Proxy.Type.HTTP, harness.address()));
        c.setDoOutput(true);
        c.setRequestMethod("POST");
        c.setChunkedStreamingMode(1000);
        try (OutputStream out = c.getOutputStream()) {
            out.write(new byte[250_000]);
        }
        assertThat(c.getResponseCode()).isEqualTo(200);
        try (InputStream in = c.getInputStream()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("POST /echo body=250000\n");
        }
    }

    @Test
    void okHttpStreamsLargeBodiesBothWays() throws Exception {
        OkHttpClient ok = new OkHttpClient.Builder().proxy(new Proxy(Proxy.Type.HTTP, harness.address()))
                .readTimeout(Duration.ofSeconds(30)).build();
        byte[] upload = new byte[8 * 1024 * 1024];
        try (Response r = ok.newCall(new Request.Builder().url(base + "/echo")
                .post(RequestBody.create(upload, MediaType.get("application/octet-stream"))).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("POST /echo body=" + upload.length + "\n");
        }
        long n = 32L * 1024 * 1024;
        try (Response r = ok.newCall(new Request.Builder().url(base + "/bytes?n=" + n).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            long total = 0;
            try (InputStream in = r.body().byteStream()) {
                byte[] buf = new byte[65536];
                for (int k = in.read(buf); k > 0; k = in.read(buf)) {
                    total += k;
                }
            }
            assertThat(total).isEqualTo(n);
        }
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneClientConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", harness.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write(("GET " + base + "/echo?i=" + i + " HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port() + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String response = readResponse(in);
                assertThat(response).startsWith("HTTP/1.1 200").contains("GET /echo?i=" + i + " body=0");
            }
        }
        assertThat(origin.seen()).hasSize(3);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (Socket s = new Socket("127.0.0.1", harness.port())) {
            s.setSoTimeout(5000);
            String one = "GET " + base + "/echo?p=1 HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port() + "\r\n\r\n";
            String two = "GET " + base + "/echo?p=2 HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port() + "\r\nConnection: close\r\n\r\n";
            s.getOutputStream().write((one + two).getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(all.indexOf("GET /echo?p=1")).isGreaterThan(0).isLessThan(all.indexOf("GET /echo?p=2"));
        }
    }

    @Test
    void curlPlainAndTunnelledAndWithExpectContinue() throws Exception {
        assertThat(curl("-x", "http://127.0.0.1:" + harness.port(), base + "/echo")).isEqualTo("GET /echo body=0\n");
        assertThat(curl("-p", "-x", "http://127.0.0.1:" + harness.port(), base + "/echo")).isEqualTo("GET /echo body=0\n");
        assertThat(curl("-x", "http://127.0.0.1:" + harness.port(), "-H", "Expect: 100-continue", "--data-binary", "@-",
                base + "/echo")).isEqualTo("POST /echo body=2000000\n");
        assertThat(curl("-x", "http://127.0.0.1:" + harness.port(), "-I", base + "/")).startsWith("HTTP/1.1 200");
    }

    private static String curl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-s", "--max-time", "20"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("no_proxy");
        pb.environment().remove("NO_PROXY");
        Process p = pb.start();
        try (OutputStream stdin = p.getOutputStream()) {
            if (List.of(args).contains("@-")) {
                stdin.write(new byte[2_000_000]);
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Reads one response with a Content-Length body. */
    private static String readResponse(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return h + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    @Test
    void theClientSeesWhereTheConnectionWentInTheAudit() throws Exception {
        jdkClient().send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.discarding());
        AuditEvent close = harness.audit.awaitClose("127.0.0.1");
        assertThat(close.client()).startsWith("127.0.0.1:");
        assertThat(close.port()).isEqualTo(origin.port());
        assertThat(close.addresses()).containsExactly("127.0.0.1");
        assertThat(close.durationMs()).isNotNegative();
        assertThat(new InetSocketAddress("127.0.0.1", origin.port()).getPort()).isEqualTo(origin.port());
    }
}
