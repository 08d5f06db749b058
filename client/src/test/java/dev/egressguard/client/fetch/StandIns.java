package dev.egressguard.client.fetch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The loopback world of a focused test: a {@link ScriptedUpstream}, a {@link FixedResolver}, a
 * {@link LoopbackOnlySocketFactory}, and the dial remap (its {@code remapping}) that sends a
 * vetted (often public) address to its stand-in. {@link #remapped()} records what OkHttp asked
 * to dial, before the remap.
 */
final class StandIns implements AutoCloseable {
    final TestTls tls;
    final LoopbackOnlySocketFactory dials = new LoopbackOnlySocketFactory();
    final FixedResolver resolver = new FixedResolver();
    final ScriptedUpstream upstream;
    private final Set<InetAddress> upstreamAddresses = ConcurrentHashMap.newKeySet();
    private final Map<InetSocketAddress, InetSocketAddress> routes = new ConcurrentHashMap<>();
    private final List<InetSocketAddress> remapped = new CopyOnWriteArrayList<>();

    StandIns() throws Exception {
        this.tls = TestTls.get();
        this.upstream = new ScriptedUpstream(tls);
        dials.allow(upstream.httpAddress()).allow(upstream.httpsAddress());
    }

    /** Dials of {@code address} go to the upstream: port 443 to its TLS side, any other port to plain HTTP. */
    StandIns upstreamAt(String... addresses) throws IOException {
        for (String a : addresses) {
            upstreamAddresses.add(InetAddress.getByName(a)); // IP literals only: no lookup
        }
        return this;
    }

    /** Dials of exactly {@code address:port} go to {@code standIn} (which the dial guard then allows). */
    StandIns route(String address, int port, InetSocketAddress standIn) throws IOException {
        routes.put(new InetSocketAddress(InetAddress.getByName(address), port), standIn);
        dials.allow(standIn);
        return this;
    }

    /** A builder wired to this world: resolver, dial guard, test TLS trust, dial remap. */
    GuardedFetch.Builder fetch() {
        return GuardedFetch.builder().resolver(resolver).socketFactory(dials.remapping(this::remap))
                .sslSocketFactory(tls.clientSockets, tls.clientTrust);
    }

    private InetSocketAddress remap(InetSocketAddress asked) {
        remapped.add(asked);
        InetSocketAddress exact = routes.get(asked);
        if (exact != null) {
            return exact;
        }
        if (upstreamAddresses.contains(asked.getAddress())) {
            return asked.getPort() == 443 ? upstream.httpsAddress() : upstream.httpAddress();
        }
        return asked; // no stand-in: the dial guard refuses it
    }

    /** The endpoints OkHttp asked to dial (vetted addresses), before the remap. */
    List<InetSocketAddress> remapped() {
        return List.copyOf(remapped);
    }

    @Override
    public void close() {
        upstream.close();
    }
}
