package dev.egressguard.server;

import dev.egressguard.config.DnsSettings;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.channel.EventLoop;
import io.netty.resolver.HostsFileEntriesResolver;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The proxy's own resolver: asynchronous (Netty's DNS client on the connection's event loop, which
 * it never blocks), {@code /etc/hosts} honoured, the system's name servers or the policy's, both A
 * and AAAA asked, no search-domain expansion (a single-label name is asked as written), and one
 * overall timeout. The answer set it returns is exactly what the policy checks. {@code check}
 * resolves through the same class ({@link BlockingResolver}), so that it answers as the proxy would.
 */
final class DestinationResolver implements AutoCloseable {
    /** The resolution took longer than {@code dns.timeout}. */
    static final class DnsTimeoutException extends Exception {
        DnsTimeoutException(String host, long millis) {
            super("resolving " + host + " took longer than " + millis + " ms");
        }
    }

    private final DnsSettings settings;
    private final Transport transport;
    private final DnsServerAddressStreamProvider servers;
    private final Map<EventLoop, DnsNameResolver> resolvers = new ConcurrentHashMap<>();

    DestinationResolver(DnsSettings settings, Transport transport) {
        this.settings = settings;
        this.transport = transport;
        if (settings.servers().isEmpty()) {
            this.servers = new SequentialDnsServerAddressStreamProvider(SystemNameServers.from(SystemNameServers.RESOLV_CONF));
        } else {
            List<InetSocketAddress> list = settings.servers().stream()
                    .map(hp -> new InetSocketAddress(IpLiterals.parse(hp.host()).toInetAddress(), hp.port())).collect(Collectors.toList());
            this.servers = new SequentialDnsServerAddressStreamProvider(list);
        }
    }

    /**
     * The decision for a resolution that failed with {@code cause}: {@code dns.timeout} past
     * {@code dns.timeout}, else {@code dns.error} (rule {@code dns:nxdomain} when the name does not
     * resolve). The proxy and {@code check} both answer with it.
     */
    static Decision failureDecision(Throwable cause) {
        return Decision.deny(cause instanceof DnsTimeoutException ? Reason.DNS_TIMEOUT : Reason.DNS_ERROR,
                cause instanceof UnknownHostException ? "dns:nxdomain" : null);
    }

    /** Every A and AAAA answer for {@code host}, IPv4 first. Completes on {@code loop}. */
    Future<List<InetAddress>> resolve(EventLoop loop, String host) {
        Promise<List<InetAddress>> promise = loop.newPromise();
        long millis = settings.timeout().toMillis();
        ScheduledFuture<?> timeout = loop.schedule(() -> {
            promise.tryFailure(new DnsTimeoutException(host, millis));
        }, millis, TimeUnit.MILLISECONDS);
        resolverFor(loop).resolveAll(host).addListener(f -> {
            timeout.cancel(false);
            if (f.isSuccess()) {
                @SuppressWarnings("unchecked")
                List<InetAddress> answers = (List<InetAddress>) f.getNow();
                promise.trySuccess(answers);
            } else {
                promise.tryFailure(f.cause());
            }
        });
        return promise;
    }

    private DnsNameResolver resolverFor(EventLoop loop) {
        return resolvers.computeIfAbsent(loop, l -> new DnsNameResolverBuilder(l)
                .channelType(transport.datagramChannel())
                .socketChannelType(transport.socketChannel())
                .nameServerProvider(servers)
                .queryTimeoutMillis(Math.max(100, settings.timeout().toMillis()))
                .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                .hostsFileEntriesResolver(HostsFileEntriesResolver.DEFAULT)
                .searchDomains(List.of())
                .ndots(1)
                .build());
    }

    @Override
    public void close() {
        resolvers.values().forEach(DnsNameResolver::close);
        resolvers.clear();
    }
}
