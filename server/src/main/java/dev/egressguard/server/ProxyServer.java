package dev.egressguard.server;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.server.audit.AuditSink;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The filtering forward proxy: one listener, the policy file's rules, Netty underneath. Start it,
 * read {@link #address()}, close it.
 */
public final class ProxyServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final DestinationResolver resolver;
    private final Channel listener;

    private ProxyServer(EventLoopGroup boss, EventLoopGroup workers, DestinationResolver resolver, Channel listener) {
        this.boss = boss;
        this.workers = workers;
        this.resolver = resolver;
        this.listener = listener;
    }

    /** Binds the policy's listen address and starts serving; {@code dialGuard} checks every upstream dial. */
    public static ProxyServer start(PolicyFile policy, AuditSink audit, DialGuard dialGuard) throws InterruptedException {
        Objects.requireNonNull(policy, "policy");
        Transport transport = Transport.best();
        EventLoopGroup boss = transport.group(1);
        // One event loop per core (Netty's default is two): a connection pair lives on one loop,
        // so more loops than cores only adds context switches.
        EventLoopGroup workers = transport.group(Integer.getInteger("egressguard.eventLoops", Runtime.getRuntime().availableProcessors()));
        DestinationResolver resolver = new DestinationResolver(policy.dns(), transport);
        try {
            ProxyContext context = new ProxyContext(policy, resolver, new VettedConnector(policy.limits().connectTimeout(), dialGuard, transport), audit);
            InetSocketAddress bind = new InetSocketAddress(IpLiterals.parse(policy.listen().host()).toInetAddress(), policy.listen().port());
            Channel listener = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new ProxyInitializer(context))
                    .bind(bind).sync().channel();
            return new ProxyServer(boss, workers, resolver, listener);
        } catch (InterruptedException | RuntimeException e) {
            resolver.close();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The bound address (the real port when the policy said port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Blocks until the listener closes. */
    public void awaitClose() throws InterruptedException {
        listener.closeFuture().sync();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        resolver.close();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
