package dev.egressguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.client.fetch.FetchResult;
import dev.egressguard.client.fetch.GuardedFetch;
import dev.egressguard.client.routing.ControlPlane;
import dev.egressguard.core.guard.GuardPolicy;
import dev.egressguard.client.routing.ProxyRouting;
import dev.egressguard.client.routing.ProxyUrl;
import dev.egressguard.client.routing.RoutingSettings;
import dev.egressguard.server.audit.AuditEvent;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LeakReports;
import dev.egressguard.server.support.WebSocketEchoUpstream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * In-process routing with real, unmodified clients: after {@link ProxyRouting#activate} every one of
 * them reaches its loopback upstream through a real egressguard proxy, {@code localhost} and
 * {@code 127.0.0.1} included, and the proxy's audit shows each request. After close they go direct.
 */
@Tag("real-client")
class RoutedJvmClientsIT {
    static HttpUpstream origin;
    static WebSocketEchoUpstream ws;
    static RoutedProxy proxy;
    ProxyRouting.Activation routing;

    @BeforeAll
    static void start() throws Exception {
        origin = HttpUpstream.http("127.0.0.1");
        ws = new WebSocketEchoUpstream("127.0.0.1");
        proxy = new RoutedProxy(origin.port(), ws.port());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
        ws.close();
        assertThat(LeakReports.collect()).as("Netty leak reports").isEmpty();
    }

    @BeforeEach
    void route() {
        proxy.audit.clear();
        routing = ProxyRouting.activate(RoutingSettings.through(ProxyUrl.tryParse(proxy.url()).orElseThrow(), "test"));
    }

    @AfterEach
    void unroute() {
        routing.close();
    }

    private String url(String host, String path) {
        return "http://" + host + ":" + origin.port() + path;
    }

    @Test
    void jdkHttpClient() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url(host, "/echo"))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("GET /echo body=0\n");
            AuditEvent d = proxy.awaitDecision(host, origin.port());
            assertThat(d.verdict()).isEqualTo("allow");
            assertThat(d.mode()).isEqualTo("forward");
        }
    }

    @Test
    void jdkWebSocket() throws Exception {
        CompletableFuture<String> echoed = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + ws.port() + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        echoed.complete(data.toString());
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        socket.sendText("through the proxy", true).get(5, TimeUnit.SECONDS);
        assertThat(echoed.get(10, TimeUnit.SECONDS)).contains("through the proxy");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        assertThat(proxy.awaitDecision("127.0.0.1", ws.port()).mode()).as("the JDK tunnels ws:// through CONNECT").isEqualTo("connect");
    }

    @Test
    void httpUrlConnection() throws Exception {
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            HttpURLConnection c = (HttpURLConnection) new URL(url(host, "/echo")).openConnection();
            assertThat(c.getResponseCode()).isEqualTo(200);
            assertThat(new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("GET /echo body=0\n");
            assertThat(c.usingProxy()).isTrue();
            proxy.awaitDecision(host, origin.port());
        }
    }

    @Test
    void okHttp() throws Exception {
        OkHttpClient ok = new OkHttpClient();
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            try (Response r = ok.newCall(new Request.Builder().url(url(host, "/echo")).build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
                assertThat(r.body().string()).isEqualTo("GET /echo body=0\n");
            }
            proxy.awaitDecision(host, origin.port());
        }
        ok.dispatcher().executorService().shutdown();
        ok.connectionPool().evictAll();
    }

    @Test
    void apacheHttpClient5WithSystemProperties() throws Exception {
        try (CloseableHttpClient client = HttpClients.createSystem()) {
            for (String host : new String[] {"127.0.0.1", "localhost"}) {
                String body = client.execute(new HttpGet(url(host, "/echo")), r -> {
                    assertThat(r.getCode()).isEqualTo(200);
                    return EntityUtils.toString(r.getEntity());
                });
                assertThat(body).isEqualTo("GET /echo body=0\n");
                proxy.awaitDecision(host, origin.port());
            }
        }
    }

    @Test
    void theGuardedFetchGoesThroughTheActiveRoutingToo() throws Exception {
        // the guard's own host rules would refuse a loopback target; opened here so that the proxy decides
        GuardedFetch fetch = GuardedFetch.builder().policy(GuardPolicy.defaults().withUnsafeAllowPrivateNetwork(true)).build();
        FetchResult r = fetch.fetch(url("127.0.0.1", "/echo"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("GET /echo body=0\n");
        assertThat(proxy.awaitDecision("127.0.0.1", origin.port()).verdict()).as("through the operator's proxy, not around it").isEqualTo("allow");
        FetchResult direct = GuardedFetch.builder().policy(GuardPolicy.defaults().withUnsafeAllowPrivateNetwork(true)).noProxy().build()
                .fetch(url("127.0.0.1", "/echo"));
        assertThat(direct.status()).isEqualTo(200);
        assertThat(proxy.decisions()).as("noProxy() opts out explicitly").hasSize(1);
    }

    @Test
    void afterCloseClientsGoDirectAgain() throws Exception {
        routing.close();
        int before = origin.seen().size();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url("127.0.0.1", "/echo"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(origin.seen()).hasSize(before + 1);
        Thread.sleep(200);
        assertThat(proxy.decisions()).as("nothing reached the proxy after close").isEmpty();
    }

    @Test
    void controlPlaneGoesDirectOnlyForLiteralLoopbackIps() throws Exception {
        HttpResponse<String> direct = ControlPlane.httpClientBuilder(URI.create(url("127.0.0.1", "/"))).build()
                .send(HttpRequest.newBuilder(URI.create(url("127.0.0.1", "/echo"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(direct.statusCode()).isEqualTo(200);
        HttpURLConnection c = (HttpURLConnection) ControlPlane.openConnection(new URL(url("127.0.0.1", "/echo")));
        assertThat(c.getResponseCode()).isEqualTo(200);
        assertThat(c.usingProxy()).isFalse();
        Thread.sleep(200);
        assertThat(proxy.decisions()).as("the control plane to 127.0.0.1 skipped the proxy").isEmpty();

        HttpResponse<String> byName = ControlPlane.httpClientBuilder(URI.create(url("localhost", "/"))).build()
                .send(HttpRequest.newBuilder(URI.create(url("localhost", "/echo"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(byName.statusCode()).isEqualTo(200);
        assertThat(proxy.awaitDecision("localhost", origin.port()).verdict()).as("localhost routes like any hostname").isEqualTo("allow");
    }

    @Test
    void aDeniedDestinationIsDeniedAtTheProxyNotSkipped() throws Exception {
        // nothing listens on this loopback port and no rule opens it: the proxy must answer 403, the client never connects
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Proxy-Status").orElse("")).contains("destination_ip_prohibited");
        assertThat(proxy.awaitDecision("127.0.0.1", 9).reason()).isEqualTo("ip.loopback");
    }
}
