package dev.egressguard.server;

import static dev.egressguard.server.EmbeddedProxy.sentBy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.egressguard.server.EmbeddedProxy.InetEmbeddedChannel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A CONNECT switches the client connection from HTTP to raw bytes in the one order that loses no
 * byte and sends none through the wrong codec: the decoder leaves before the 200 is written (what
 * it buffered behind the head flows into the tunnel), the encoder only after the 200 is out.
 */
class ConnectSwitchoverHandlerTest {
    private static final String POLICY = "allow:\n  - cidr: 127.0.0.1/32\n    ports: [443]\n    reason: handler test\n";

    /** Records, for every buffer that leaves the client channel, which HTTP codec halves were in its pipeline then. */
    private static final class CodecSpy extends ChannelOutboundHandlerAdapter {
        final List<String> seen = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            String text = ((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1);
            seen.add(text.lines().findFirst().orElse("") + " | decoder=" + (ctx.pipeline().get(HandlerNames.HTTP_DECODER) != null)
                    + " encoder=" + (ctx.pipeline().get(HandlerNames.HTTP_ENCODER) != null));
            ctx.write(msg, promise);
        }
    }

    @Test
    void theDecoderLeavesBeforeThe200AndTheEncoderAfterIt() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            CodecSpy spy = new CodecSpy();
            client.pipeline().addFirst(spy);
            proxy.receive(client, "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n");
            proxy.settle(client);
            assertThat(spy.seen).containsExactly("HTTP/1.1 200 Connection established | decoder=false encoder=true");
            assertThat(client.pipeline().get(HandlerNames.HTTP_ENCODER)).as("the encoder is gone once the 200 is out").isNull();
            assertThat(client.pipeline().get(HandlerNames.HTTP_DECODER)).isNull();
            assertThat(client.config().isAutoRead()).isTrue();
            client.finishAndReleaseAll();
            assertThat(proxy.releasedAll()).isTrue();
        }
    }

    @Test
    void bytesSentRightBehindTheConnectHeadReachTheUpstreamRaw() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n\u0016\u0003\u0001client hello");
            proxy.settle(client);
            assertThat(sentBy(client)).startsWith("HTTP/1.1 200 Connection established\r\n");
            InetEmbeddedChannel upstream = proxy.upstream(0);
            assertThat(sentBy(upstream)).isEqualTo("\u0016\u0003\u0001client hello");
            proxy.receive(client, "more");
            assertThat(sentBy(upstream)).isEqualTo("more");
            proxy.receive(upstream, "\u0016\u0003\u0003server hello");
            assertThat(sentBy(client)).isEqualTo("\u0016\u0003\u0003server hello");
            client.finishAndReleaseAll();
            upstream.finishAndReleaseAll();
            assertThat(proxy.releasedAll()).isTrue();
        }
    }

    @Test
    void aDeniedConnectIsAnsweredAndNothingIsDialled() {
        try (EmbeddedProxy proxy = new EmbeddedProxy("")) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, "CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\nbytes that must be dropped");
            proxy.settle(client);
            assertThat(sentBy(client)).startsWith("HTTP/1.1 403 Forbidden (egressguard: ip.loopback)\r\n");
            assertThat(proxy.upstreams).isEmpty();
            assertThat(client.isOpen()).isFalse();
            assertThat(proxy.releasedAll()).isTrue();
        }
    }

    @Test
    void anUpstreamClosingEndsTheTunnelAndItsAuditRecord() {
        try (EmbeddedProxy proxy = new EmbeddedProxy(POLICY)) {
            InetEmbeddedChannel client = proxy.client();
            proxy.receive(client, "CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\n");
            proxy.settle(client);
            sentBy(client);
            proxy.upstream(0).close();
            proxy.settle(client);
            assertThat(client.isOpen()).isFalse();
            assertThat(proxy.audit.events()).filteredOn(e -> e.event().equals("close")).singleElement()
                    .satisfies(e -> assertThat(e.status()).isEqualTo(200));
        }
    }
}
