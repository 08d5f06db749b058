package dev.egressguard.server.admin;

import dev.egressguard.server.ProxyView;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;

/**
 * The admin listener, on its own address (loopback by default): {@code /metrics} (Prometheus),
 * {@code /healthz}, {@code /readyz}, {@code /policy} (the effective policy, no secrets),
 * {@code /status.json} and the live status page at {@code /}.
 */
public final class AdminServer implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 16 * 1024;

    private final Channel listener;

    private AdminServer(Channel listener) {
        this.listener = listener;
    }

    public static AdminServer start(EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerChannel> channel,
                                    InetSocketAddress bind, ProxyView proxy) throws InterruptedException {
        AdminHandler handler = new AdminHandler(proxy, bind.getAddress().isLoopbackAddress());
        Channel listener = new ServerBootstrap()
                .group(boss, workers)
                .channel(channel)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("read-timeout", new ReadTimeoutHandler(30));
                        ch.pipeline().addLast("http", new HttpServerCodec(4096, 8192, 8192));
                        ch.pipeline().addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES));
                        ch.pipeline().addLast("admin", handler);
                    }
                })
                .bind(bind).sync().channel();
        return new AdminServer(listener);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
    }
}
