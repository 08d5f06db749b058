package dev.egressguard.client.routing;

import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Sends every http, https, ws and wss URI to the proxy, loopback and {@code localhost} included,
 * and never answers DIRECT for them, not even after a failed connect. Other schemes (raw
 * {@code socket://} connections) get what the previous selector said: the spec leaves raw sockets
 * outside process-level routing.
 */
final class RoutingProxySelector extends ProxySelector {
    private static final Set<String> ROUTED = Set.of("http", "https", "ws", "wss");

    private final Proxy proxy;
    private final ProxySelector previous;

    RoutingProxySelector(Proxy proxy, ProxySelector previous) {
        this.proxy = proxy;
        this.previous = previous;
    }

    @Override
    public List<Proxy> select(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("uri: null (expected: a URI)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (ROUTED.contains(scheme)) {
            return List.of(proxy);
        }
        return previous != null ? previous.select(uri) : List.of(Proxy.NO_PROXY);
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // Nothing to fall back to: a protected process does not go direct when the proxy is down.
    }

    Proxy proxy() {
        return proxy;
    }

    @Override
    public String toString() {
        return "egressguard routing via " + proxy.address();
    }
}
