package dev.egressguard.server;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.support.RecordingAuditSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The proxy's real client pipeline ({@link ProxyInitializer}) on an {@link EmbeddedChannel}, with
 * upstreams that are embedded channels too: a handler test drives both sides byte by byte, with
 * no socket and no thread, and sees exactly what each side was sent. Targets are IP literals, so
 * nothing is resolved.
 */
final class EmbeddedProxy implements AutoCloseable {
    final RecordingAuditSink audit = new RecordingAuditSink();
    final ProxyContext context;
    final List<InetEmbeddedChannel> upstreams = new ArrayList<>();
    private final DestinationResolver resolver;
    private final List<ByteBuf> sent = new ArrayList<>();

    EmbeddedProxy(String policyYaml) {
        PolicyFile policy = PolicyFileLoader.parse("listen: 127.0.0.1:0\ndns:\n  servers: [\"127.0.0.1:9\"]\n" + policyYaml, "handler test");
        resolver = new DestinationResolver(policy.dns(), Transport.NIO);
        UpstreamConnector connector = (EventLoop loop, List<InetAddress> vetted, int port, Supplier<ChannelHandler> handler) -> {
            // like a socket's, the connect completes later, never inside the call that asked for it
            Promise<Channel> connected = loop.newPromise();
            loop.execute(() -> {
                InetEmbeddedChannel up = new InetEmbeddedChannel(new InetSocketAddress(vetted.get(0), port), handler.get());
                upstreams.add(up);
                connected.setSuccess(up);
            });
            return connected;
        };
        context = new ProxyContext(policy, resolver, connector, audit, new ProxyMetrics());
    }

    /** A client connection from 127.0.0.1, its pipeline built by the proxy's initializer. */
    InetEmbeddedChannel client() {
        return new InetEmbeddedChannel(new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000),
                new ProxyInitializer(context, new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
    }

    InetEmbeddedChannel upstream(int index) {
        return upstreams.get(index);
    }

    /** Writes bytes into a channel as if they arrived from its peer, keeping the buffer to check its release later. */
    ByteBuf receive(EmbeddedChannel ch, String latin1) {
        ByteBuf b = Unpooled.copiedBuffer(latin1, StandardCharsets.ISO_8859_1);
        sent.add(b);
        ch.writeInbound(b.retain()); // one reference for the pipeline, one kept here to look at
        ch.runPendingTasks();
        return b;
    }

    /** Everything the channel wrote out so far, as text (released as it is read). */
    static String sentBy(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            if (!(o instanceof ByteBuf)) {
                throw new AssertionError("a " + o.getClass().getName() + " reached the socket, not bytes: " + o);
            }
            ByteBuf b = (ByteBuf) o;
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    /** True when the pipeline let go of every buffer a test wrote into it. */
    boolean releasedAll() {
        return sent.stream().allMatch(b -> b.refCnt() == 1);
    }

    /** Runs what both sides have scheduled, until nothing is left to run (bounded). */
    void settle(EmbeddedChannel client) {
        for (int i = 0; i < 10; i++) {
            client.runPendingTasks();
            upstreams.forEach(EmbeddedChannel::runPendingTasks);
        }
    }

    @Override
    public void close() {
        upstreams.forEach(EmbeddedChannel::finishAndReleaseAll);
        sent.forEach(b -> b.release(b.refCnt()));
        resolver.close();
    }

    /** An embedded channel with a real loopback peer address, as the proxy reads it from sockets. */
    static final class InetEmbeddedChannel extends EmbeddedChannel {
        private InetSocketAddress remote;

        InetEmbeddedChannel(InetSocketAddress remote, ChannelHandler... handlers) {
            super(false, false, handlers);
            this.remote = remote;
            try {
                register();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return isActive() ? remote : null;
        }

        @Override
        protected SocketAddress localAddress0() {
            return isActive() ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 3128) : null;
        }
    }
}
