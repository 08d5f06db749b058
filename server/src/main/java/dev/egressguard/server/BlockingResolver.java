package dev.egressguard.server;

import dev.egressguard.config.DnsSettings;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.Resolver;
import dev.egressguard.core.policy.Decision;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's resolver for callers that may wait, such as {@code egressguard check}: the same
 * {@link DestinationResolver} with the same settings (the policy's {@code dns.servers} or the
 * system's, {@code /etc/hosts}, no search domains, {@code dns.timeout}), run on a private
 * single-thread event loop of its own while the caller blocks. So {@code check --policy FILE NAME}
 * gets exactly the answer set, or the failure, that policy's proxy would. Never call it from an
 * event loop.
 */
public final class BlockingResolver implements Resolver, AutoCloseable {
    /** A resolution failed; {@link #decision()} is the proxy's answer to it ({@code dns.error} or {@code dns.timeout}). */
    public static final class LookupFailedException extends UnknownHostException {
        private static final long serialVersionUID = 1L;
        private final transient Decision decision;

        LookupFailedException(String host, Throwable cause) {
            super(host + ": " + cause.getMessage());
            initCause(cause);
            this.decision = DestinationResolver.failureDecision(cause);
        }

        public Decision decision() {
            return decision;
        }
    }

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final DestinationResolver resolver;
    private final long waitMillis;

    private BlockingResolver(EventLoopGroup group, DestinationResolver resolver, long waitMillis) {
        this.group = group;
        this.loop = group.next();
        this.resolver = resolver;
        this.waitMillis = waitMillis;
    }

    /**
     * A resolver for {@code settings}.
     *
     * @throws IllegalStateException when {@code settings} name no server and the system names none
     */
    public static BlockingResolver start(DnsSettings settings) {
        Objects.requireNonNull(settings, "settings");
        EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("egressguard-resolve", true));
        try {
            // the resolver keeps its own dns.timeout; the wait only guards against a lost completion
            return new BlockingResolver(group, new DestinationResolver(settings, Transport.NIO), settings.timeout().toMillis() + 5_000);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Every A and AAAA answer for {@code hostname}, IPv4 first, as the proxy would get them.
     *
     * @throws LookupFailedException when the proxy would not get an answer, with its decision
     */
    @Override
    public List<IpAddress> resolve(String hostname) throws UnknownHostException {
        if (loop.inEventLoop()) {
            throw new IllegalStateException("BlockingResolver.resolve called on its own event loop");
        }
        Future<List<InetAddress>> answer = resolver.resolve(loop, hostname);
        if (!answer.awaitUninterruptibly(waitMillis)) {
            answer.cancel(false);
            throw new LookupFailedException(hostname, new DestinationResolver.DnsTimeoutException(hostname, waitMillis));
        }
        if (!answer.isSuccess()) {
            throw new LookupFailedException(hostname, answer.cause());
        }
        List<IpAddress> out = new ArrayList<>(answer.getNow().size());
        for (InetAddress a : answer.getNow()) {
            out.add(IpAddress.fromInetAddress(a));
        }
        return out;
    }

    @Override
    public void close() {
        resolver.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
