package dev.egressguard.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.MetricsFixtures;
import dev.egressguard.server.ProxyMetrics;
import dev.egressguard.server.ProxyView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The admin listener's handler on an {@link EmbeddedChannel}: the Host header rules, and /status.json whatever the hosts. */
class AdminHandlerTest {
    private static ProxyView view(ProxyMetrics metrics) {
        PolicyFile policy = PolicyFileLoader.embeddedDefault();
        return new ProxyView() {
            @Override
            public ProxyMetrics metrics() {
                return metrics;
            }

            @Override
            public PolicyFile policy() {
                return policy;
            }

            @Override
            public boolean isReady() {
                return true;
            }
        };
    }

    /** Sends raw request bytes through the codec and the handler; the whole response as text. */
    private static String exchange(AdminHandler handler, String request) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(4096, 8192, 8192), new HttpObjectAggregator(16 * 1024), handler);
        try {
            ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
            StringBuilder out = new StringBuilder();
            for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
                out.append(b.toString(StandardCharsets.UTF_8));
                b.release();
            }
            return out.toString();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "Host: 127.0.0.1:9090                   | 200",
        "Host: 127.0.0.1                        | 200",
        "Host: localhost:9090                   | 200",
        "Host: LOCALHOST.                       | 200",
        "Host: [::1]:9090                       | 200",
        "Host: [::1]                            | 200",
        "Host: [::1]junk                        | 400",
        "Host: [::1]:9090junk                   | 400",
        "Host: 127.0.0.1:evil.example           | 400",
        "Host: 127.0.0.1:9090:80                | 400",
        "Host: 127.0.0.1:                       | 400",
        "Host: 127.0.0.1:0                      | 400",
        "Host: 127.0.0.1:65536                  | 400",
        "Host: ::1                              | 400",
        "Host: [::1                             | 400",
        "Host: a b                              | 400",
        "Host: evil.example@127.0.0.1           | 400",
        "Host: 127.0.0.1/x                      | 400",
        "Host:                                  | 400",
        "Host: 127.0.0.1\\r\\nHost: evil.example  | 400",
        "Host: 127.0.0.1\\r\\nHost: 127.0.0.1     | 400",
        "Host: evil.example\\r\\nHost: 127.0.0.1  | 400",
        "X-No-Host: 1                           | 400",
        "Host: attacker.example                 | 403",
        "Host: attacker.example:9090            | 403",
        "Host: localhost.attacker.example       | 403",
    })
    void theHostHeaderIsOneStrictHostAndPort(String headers, int status) {
        String lines = headers.replace("\\r\\n", "\r\n"); // the table writes a line break between headers as the four characters
        String response = exchange(new AdminHandler(view(new ProxyMetrics()), true), "GET /healthz HTTP/1.1\r\n" + lines + "\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 " + status + " ");
    }

    @Test
    void anHttp10RequestMayLeaveHostOutAndAnExposedListenerTakesAnyValidName() {
        assertThat(exchange(new AdminHandler(view(new ProxyMetrics()), true), "GET /healthz HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200 ");
        AdminHandler exposed = new AdminHandler(view(new ProxyMetrics()), false);
        assertThat(exchange(exposed, "GET /healthz HTTP/1.1\r\nHost: admin.example:9090\r\n\r\n")).startsWith("HTTP/1.1 200 ");
        assertThat(exchange(exposed, "GET /healthz HTTP/1.1\r\nHost: [::1]junk\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(exchange(exposed, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")).startsWith("HTTP/1.1 400 ");
    }

    /** A denied host holds whatever a client sent: the status JSON stays one inert line. */
    @Test
    void statusJsonIsOneLineWhateverTheHostsWere() throws Exception {
        String hostile = "evil\u0085host\u2028</script><b>&\u007f\u001b[2J\ud800";
        ProxyMetrics metrics = MetricsFixtures.withDenial(hostile, 80, "host.invalid");
        String response = exchange(new AdminHandler(view(metrics), true), "GET /status.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200 ").contains("content-type: application/json");
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        assertThat(body).doesNotContain("\n").doesNotContain("\u0085").doesNotContain("\u2028").doesNotContain("<").doesNotContain("&")
                .doesNotContain("\u007f").doesNotContain("\u001b");
        JsonNode status = new ObjectMapper().readTree(body);
        assertThat(status.get("recentDenials").get(0).get("host").asText()).isEqualTo(hostile);
        assertThat(status.get("decisions").get(0).get("reason").asText()).isEqualTo("host.invalid");
        assertThat(status.get("ready").asBoolean()).isTrue();
    }
}
