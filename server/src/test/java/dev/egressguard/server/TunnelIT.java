package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.ProxyHarness;
import dev.egressguard.server.support.SelfSignedTls;
import dev.egressguard.server.support.WebSocketEchoUpstream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CONNECT tunnels (HTTPS inside) and WebSocket upgrades through a real proxy, with real clients. */
class TunnelIT {
    static SelfSignedTls tls;
    static HttpUpstream httpsOrigin;
    static WebSocketEchoUpstream wsOrigin;
    static ProxyHarness harness;

    @BeforeAll
    static void start() throws Exception {
        tls = SelfSignedTls.create();
        httpsOrigin = HttpUpstream.https("127.0.0.1", tls.server());
        wsOrigin = new WebSocketEchoUpstream("127.0.0.1");
        harness = new ProxyHarness("allow:\n"
                + "  - cidr: 127.0.0.1/32\n    ports: [" + httpsOrigin.port() + ", " + wsOrigin.port() + "]\n    reason: test origins\n");
    }

    @AfterAll
    static void stop() throws Exception {
        harness.close();
        httpsOrigin.close();
        wsOrigin.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    @Test
    void jdkHttpClientReachesHttpsThroughConnect() throws Exception {
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(harness.address())).sslContext(tls.client()).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + httpsOrigin.port() + "/echo?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET /echo?x=1 body=0\n");
        AuditEvent decision = harness.audit.await(e -> e.event().equals("decision") && "connect".equals(e.mode()), Duration.ofSeconds(5));
        assertThat(decision.verdict()).isEqualTo("allow");
        assertThat(decision.port()).isEqualTo(httpsOrigin.port());
    }

    @Test
    void okHttpReachesHttpsThroughConnect() throws Exception {
        X509TrustManager tm = (X509TrustManager) tls.trustManagers()[0];
        OkHttpClient ok = new OkHttpClient.Builder().proxy(new Proxy(Proxy.Type.HTTP, harness.address()))
                .sslSocketFactory(tls.client().getSocketFactory(), tm).hostnameVerifier((h, s) -> true).build();
        try (Response r = ok.newCall(new Request.Builder().url("https://127.0.0.1:" + httpsOrigin.port() + "/").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("hello from upstream\n");
        }
    }

    @Test
    void curlTunnelsHttps() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("curl", "-s", "-k", "--max-time", "20", "-x", "http://127.0.0.1:" + harness.port(),
                "https://127.0.0.1:" + httpsOrigin.port() + "/echo");
        pb.environment().remove("no_proxy");
        pb.environment().remove("NO_PROXY");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("GET /echo body=0\n");
    }

    @Test
    void aTunnelHalfClosesAndIsAuditedWhenBothSidesEnd() throws Exception {
        harness.audit.clear();
        try (Socket s = new Socket("127.0.0.1", harness.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("CONNECT 127.0.0.1:" + httpsOrigin.port() + " HTTP/1.1\r\nHost: 127.0.0.1:" + httpsOrigin.port() + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            byte[] head = new byte[39];
            assertThat(in.readNBytes(head, 0, head.length)).isEqualTo(39);
            assertThat(new String(head, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 Connection established\r\n\r\n");
            s.shutdownOutput(); // our FIN reaches the origin; the origin closes; we read EOF
            assertThat(in.read()).isEqualTo(-1);
        }
        AuditEvent close = harness.audit.await(e -> e.event().equals("close") && "connect".equals(e.mode()), Duration.ofSeconds(5));
        assertThat(close.status()).isEqualTo(200);
        assertThat(close.bytesUp()).isPositive();
    }

    @Test
    void webSocketUpgradesAndRelaysFrames() throws Exception {
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(harness.address())).build();
        CompletableFuture<String> received = new CompletableFuture<>();
        WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + wsOrigin.port() + "/ws"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("hello through egressguard", true).get(5, TimeUnit.SECONDS);
        assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("echo: hello through egressguard");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        // The JDK's WebSocket client tunnels ws:// through CONNECT when a proxy is set.
        AuditEvent decision = harness.audit.await(e -> e.event().equals("decision") && "connect".equals(e.mode())
                && e.port() == wsOrigin.port(), Duration.ofSeconds(5));
        assertThat(decision.verdict()).isEqualTo("allow");
    }

    /** The absolute-form upgrade ({@code GET http://host/ws} with {@code Upgrade: websocket}), as proxy-aware clients send it. */
    @Test
    void absoluteFormWebSocketUpgradeSwitchesToARawRelay() throws Exception {
        harness.audit.clear();
        String authority = "127.0.0.1:" + wsOrigin.port();
        try (Socket s = new Socket("127.0.0.1", harness.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET http://" + authority + "/ws HTTP/1.1\r\nHost: " + authority + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Proxy-Connection: keep-alive\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read());
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101 ").containsIgnoringCase("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            byte[] payload = "ping".getBytes(StandardCharsets.UTF_8);
            byte[] mask = {1, 2, 3, 4};
            byte[] frame = new byte[2 + 4 + payload.length];
            frame[0] = (byte) 0x81;
            frame[1] = (byte) (0x80 | payload.length);
            System.arraycopy(mask, 0, frame, 2, 4);
            for (int i = 0; i < payload.length; i++) {
                frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
            }
            out.write(frame);
            out.flush();
            byte[] reply = in.readNBytes(2 + "echo: ping".length());
            assertThat(reply[0]).isEqualTo((byte) 0x81);
            assertThat(new String(reply, 2, reply.length - 2, StandardCharsets.UTF_8)).isEqualTo("echo: ping");
        }
        AuditEvent decision = harness.audit.await(e -> e.event().equals("decision") && "websocket".equals(e.mode()), Duration.ofSeconds(5));
        assertThat(decision.verdict()).isEqualTo("allow");
        assertThat(List.of(decision.method())).containsExactly("GET");
        AuditEvent close = harness.audit.await(e -> e.event().equals("close") && "websocket".equals(e.mode()), Duration.ofSeconds(5));
        assertThat(close.status()).isEqualTo(101);
    }
}
