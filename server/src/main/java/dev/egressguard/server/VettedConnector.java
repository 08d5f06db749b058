package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Opens upstream channels to vetted addresses only: each address of the checked answer set in
 * order, the next on failure, with a connect timeout. Netty never resolves anything here: there is
 * no {@code Bootstrap} and so no resolver, and each channel connects to an address made from a
 * vetted {@link InetAddress}; every dial passes the {@link DialGuard} first. The upstream channel
 * shares the client's event loop and starts with reads off.
 */
final class VettedConnector implements UpstreamConnector {
    private final Supplier<Duration> connectTimeout;
    private final DialGuard dialGuard;
    private final ChannelFactory<? extends Channel> sockets;

    VettedConnector(Supplier<Duration> connectTimeout, DialGuard dialGuard, Transport transport) {
        this.connectTimeout = connectTimeout;
        this.dialGuard = dialGuard;
        this.sockets = transport.socketFactory();
    }

    /** Connects to the first address that answers; fails with the last cause when none does. */
    @Override
    public Future<Channel> connect(EventLoop loop, List<InetAddress> vetted, int port, Supplier<ChannelHandler> handler) {
        Promise<Channel> promise = loop.newPromise();
        attempt(loop, vetted, 0, port, handler, promise, null);
        return promise;
    }

    private void attempt(EventLoop loop, List<InetAddress> vetted, int index, int port, Supplier<ChannelHandler> handler,
                         Promise<Channel> promise, Throwable lastCause) {
        if (index >= vetted.size()) {
            promise.tryFailure(lastCause != null ? lastCause : new IllegalStateException("no vetted address"));
            return;
        }
        InetSocketAddress target = new InetSocketAddress(vetted.get(index), port);
        try {
            dialGuard.check(target);
        } catch (SecurityException e) {
            promise.tryFailure(e);
            return;
        }
        // What a Bootstrap would do, without copying one per dial and without any resolver: the
        // target is an address already, so there is nothing a resolver could be asked.
        Channel ch;
        try {
            ch = sockets.newChannel(); // fails when the process is out of descriptors
        } catch (RuntimeException e) {
            attempt(loop, vetted, index + 1, port, handler, promise, e);
            return;
        }
        try {
            ch.config().setAutoRead(false);
            ch.config().setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, connectTimeout.get().toMillis()));
            ch.config().setOption(ChannelOption.TCP_NODELAY, true);
            ch.pipeline().addLast(handler.get());
        } catch (RuntimeException e) {
            ch.unsafe().closeForcibly();
            attempt(loop, vetted, index + 1, port, handler, promise, e);
            return;
        }
        loop.register(ch).addListener(registered -> {
            if (!registered.isSuccess()) {
                ch.unsafe().closeForcibly();
                attempt(loop, vetted, index + 1, port, handler, promise, registered.cause());
                return;
            }
            ch.connect(target).addListener(done -> {
                if (done.isSuccess()) {
                    if (!promise.trySuccess(ch)) {
                        ch.close();
                    }
                } else {
                    ch.close();
                    attempt(loop, vetted, index + 1, port, handler, promise, done.cause());
                }
            });
        });
    }
}
