package dev.egressguard.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Opens upstream channels to vetted addresses only: each address of the checked answer set in
 * order, the next on failure, with a connect timeout. Netty never resolves anything here
 * ({@link NoopAddressResolverGroup}); every dial passes the {@link DialGuard} first. The upstream
 * channel shares the client's event loop and starts with reads off.
 */
final class VettedConnector implements UpstreamConnector {
    private final Supplier<Duration> connectTimeout;
    private final DialGuard dialGuard;
    /** What every dial shares; each dial copies it for its loop, timeout and handler. */
    private final Bootstrap prototype;

    VettedConnector(Supplier<Duration> connectTimeout, DialGuard dialGuard, Transport transport) {
        this.connectTimeout = connectTimeout;
        this.dialGuard = dialGuard;
        this.prototype = new Bootstrap()
                .channelFactory(transport.socketFactory())
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true);
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
        ChannelFuture f = prototype.clone(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.get().toMillis()))
                .handler(handler.get())
                .connect(target);
        f.addListener(done -> {
            if (done.isSuccess()) {
                if (!promise.trySuccess(f.channel())) {
                    f.channel().close();
                }
            } else {
                attempt(loop, vetted, index + 1, port, handler, promise, done.cause());
            }
        });
    }
}
