package dev.egressguard.server;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.server.admin.AdminServer;
import dev.egressguard.server.audit.AuditSink;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filtering forward proxy: one listener, the policy file's rules, Netty underneath, and an
 * optional admin listener. Start it, read {@link #address()}; {@link #reload} swaps the policy
 * for new requests; {@link #shutdown} drains, {@link #close} stops at once.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final DestinationResolver resolver;
    private final Channel listener;
    /** The SOCKS5 listener ({@code socks.listen}), or null. */
    private final Channel socksListener;
    private final ProxyContext context;
    private final ChannelGroup clients;
    private final AdminServer admin;
    /** The file as last loaded, before command-line overrides: what a reload is compared with. */
    private PolicyFile started;

    private ProxyServer(EventLoopGroup boss, EventLoopGroup workers, DestinationResolver resolver, Channel listener, Channel socksListener,
                        ProxyContext context, ChannelGroup clients, AdminServer admin) {
        this.boss = boss;
        this.workers = workers;
        this.resolver = resolver;
        this.listener = listener;
        this.socksListener = socksListener;
        this.context = context;
        this.clients = clients;
        this.admin = admin;
        this.started = context.policy();
    }

    /**
     * Binds the policy's listen address (and {@code admin.listen} when the file sets one) and starts
     * serving; {@code dialGuard} checks every upstream dial.
     *
     * @throws IllegalStateException when the listen address would expose an open proxy
     */
    public static ProxyServer start(PolicyFile policy, AuditSink audit, DialGuard dialGuard) throws InterruptedException {
        Objects.requireNonNull(policy, "policy");
        policy.access().exposureProblem(policy.listen()).ifPresent(p -> {
            throw new IllegalStateException(p);
        });
        Transport transport = Transport.best();
        EventLoopGroup boss = transport.group(1);
        // One event loop per core (Netty's default is two): a connection pair lives on one loop,
        // so more loops than cores only adds context switches.
        EventLoopGroup workers = transport.group(Integer.getInteger("egressguard.eventLoops", Runtime.getRuntime().availableProcessors()));
        DestinationResolver resolver = new DestinationResolver(policy.dns(), transport);
        ChannelGroup clients = new DefaultChannelGroup("egressguard-clients", GlobalEventExecutor.INSTANCE);
        Channel listener = null;
        Channel socks = null;
        try {
            ProxyMetrics metrics = new ProxyMetrics();
            ProxyContext[] holder = new ProxyContext[1]; // the connector reads the connect timeout in force
            ProxyContext context = new ProxyContext(policy, resolver,
                    new VettedConnector(() -> holder[0].policy().limits().connectTimeout(), dialGuard, transport), audit, metrics);
            holder[0] = context;
            listener = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childHandler(new ProxyInitializer(context, clients))
                    .bind(socketAddress(policy.listen())).sync().channel();
            if (policy.socksListen().isPresent()) {
                policy.access().exposureProblem(policy.socksListen().get()).ifPresent(p -> {
                    throw new IllegalStateException("socks.listen: " + p);
                });
                socks = new ServerBootstrap()
                        .group(boss, workers)
                        .channel(transport.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.SO_KEEPALIVE, true)
                        .childHandler(new SocksInitializer(context, clients))
                        .bind(socketAddress(policy.socksListen().get())).sync().channel();
            }
            boss.scheduleAtFixedRate(() -> context.rate().sweep(System.nanoTime()), 30, 30, TimeUnit.SECONDS);
            AdminServer admin = null;
            Optional<HostPort> adminListen = policy.admin().listen();
            if (adminListen.isPresent() && !policy.admin().off()) {
                admin = AdminServer.start(boss, workers, transport.serverChannel(), socketAddress(adminListen.get()), view(context, listener));
            }
            context.authenticator().prepare(policy.access().users()); // listening: now hash plain secrets, off the start path
            return new ProxyServer(boss, workers, resolver, listener, socks, context, clients, admin);
        } catch (InterruptedException | RuntimeException e) {
            if (listener != null) {
                listener.close();
            }
            if (socks != null) {
                socks.close();
            }
            resolver.close();
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** An IP-literal host and port as a socket address; no lookup. */
    static InetSocketAddress socketAddress(HostPort hp) {
        return new InetSocketAddress(IpLiterals.parse(hp.host()).toInetAddress(), hp.port());
    }

    /** What the admin listener shows: live figures and the policy in force. */
    public ProxyView view() {
        return view(context, listener);
    }

    private static ProxyView view(ProxyContext context, Channel listener) {
        return new ProxyView() {
            @Override
            public ProxyMetrics metrics() {
                return context.metrics();
            }

            @Override
            public PolicyFile policy() {
                return context.policy();
            }

            @Override
            public boolean isReady() {
                return listener.isActive() && !context.isDraining();
            }

            @Override
            public Optional<String> caPem() {
                return context.snapshot().tls().caPem();
            }
        };
    }

    /** The bound address (the real port when the policy said port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** The SOCKS5 listener's bound address, when it runs. */
    public Optional<InetSocketAddress> socksAddress() {
        return Optional.ofNullable(socksListener).map(ch -> (InetSocketAddress) ch.localAddress());
    }

    /** The admin listener's bound address, when it runs. */
    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(admin).map(AdminServer::address);
    }

    public ProxyMetrics metrics() {
        return context.metrics();
    }

    public PolicyFile policy() {
        return context.policy();
    }

    /**
     * Puts {@code next} in force for new requests and connections; requests and tunnels already open
     * keep running. Settings fixed at start (listen, admin, dns) keep the values they started with
     * (the {@code /policy} page shows those); each one the new file changes is returned (and logged)
     * so that the operator knows a restart is needed for it.
     *
     * @return the settings that need a restart to change
     * @throws IllegalStateException when {@code next} would turn the running listener into an open proxy
     *         (for example a non-loopback {@code --listen} with a file that drops clients.allow and auth)
     */
    public synchronized List<String> reload(PolicyFile next) {
        PolicyFile current = context.policy();
        next.access().exposureProblem(current.listen()).ifPresent(p -> {
            throw new IllegalStateException("reload refused: " + p);
        });
        List<String> fixed = new ArrayList<>();
        if (!next.listen().equals(started.listen())) {
            fixed.add("listen");
        }
        if (!next.admin().equals(started.admin())) {
            fixed.add("admin.listen");
        }
        if (!next.dns().equals(started.dns())) {
            fixed.add("dns");
        }
        if (!next.socksListen().equals(started.socksListen())) {
            fixed.add("socks.listen");
        }
        if (next.limits().maxHeaderBytes() != started.limits().maxHeaderBytes()) {
            fixed.add("limits.maxHeaderBytes (for connections already open)");
        }
        started = next;
        long generation = context.replacePolicy(next.withListen(current.listen()).withAdmin(current.admin()).withDns(current.dns())
                .withSocksListen(current.socksListen()));
        log.info("policy reloaded from {}: generation {}", next.source(), generation);
        for (String f : fixed) {
            log.warn("policy reload: {} changed in {}; it takes effect at the next restart", f, next.source());
        }
        return fixed;
    }

    /** Records a refused reload (the old policy stays); the caller logs the problems. */
    public void reloadFailed() {
        context.metrics().reloadFailed();
    }

    private void closeListeners() {
        listener.close().syncUninterruptibly();
        if (socksListener != null) {
            socksListener.close().syncUninterruptibly();
        }
    }

    /** Blocks until the listener closes. */
    public void awaitClose() throws InterruptedException {
        listener.closeFuture().sync();
    }

    /**
     * Graceful stop: no new connections or requests (readyz turns 503), idle keep-alive connections
     * close, requests and tunnels in flight get up to {@code drain} to finish, then everything closes.
     *
     * @return the client connections that were still open when the drain time ran out
     */
    public int shutdown(Duration drain) {
        context.startDraining();
        closeListeners();
        clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE));
        long deadline = System.nanoTime() + drain.toNanos();
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = clients.size();
        if (left > 0) {
            log.warn("drain time {} ran out; closing {} connection(s)", drain, left);
        }
        close();
        return left;
    }

    @Override
    public void close() {
        context.startDraining();
        closeListeners();
        if (admin != null) {
            admin.close();
        }
        clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        resolver.close();
        context.authenticator().close();
        context.closeApprovals();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
