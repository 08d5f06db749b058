package dev.egressguard.client.fetch;

import java.net.Proxy;

/**
 * Where a hop's connection may go, as {@link RouteVetter} decided it: the names OkHttp may look
 * up and their vetted answers, the proxy if any ({@link Proxy#NO_PROXY} otherwise), and the
 * proxy's credentials.
 *
 * @param proxyAuthorization the {@code Proxy-Authorization} value to answer a proxy's challenge
 *                           with, or {@code null} for none
 */
record HopRoute(PinnedDns dns, Proxy proxy, String proxyAuthorization) {
    HopRoute(PinnedDns dns, Proxy proxy) {
        this(dns, proxy, null);
    }
}
