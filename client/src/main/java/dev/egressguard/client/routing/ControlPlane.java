package dev.egressguard.client.routing;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import java.io.IOException;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.http.HttpClient;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The narrow direct path for control-plane traffic to a local Gateway: a URL whose host is a
 * literal loopback IP ({@code 127.0.0.0/8} in dotted-decimal, or {@code [::1]}) connects directly
 * even while routing is active; every other URL, {@code localhost} included, routes like any
 * other request. Only code that calls this class gets the direct path.
 */
public final class ControlPlane {
    private static final Set<String> SCHEMES = Set.of("http", "https", "ws", "wss");

    private ControlPlane() {}

    /** True when {@code url} may go direct: an http/https/ws/wss URL whose host is a literal loopback IP. */
    public static boolean isDirect(URI url) {
        if (url == null || url.getScheme() == null || !SCHEMES.contains(url.getScheme().toLowerCase(Locale.ROOT))) {
            return false;
        }
        String host = url.getHost();
        if (host == null) {
            return false;
        }
        host = Hostnames.stripBrackets(host);
        Optional<IpAddress> ip = IpLiterals.tryParse(host);
        if (ip.isEmpty() || ip.get().zone().isPresent()) {
            return false;
        }
        // as written: [::ffff:127.0.0.1] and non-canonical IPv4 spellings route like any other host
        return ip.get().isLoopback() && (!ip.get().isIpv4() || IpLiterals.isCanonicalIpv4(host));
    }

    /** A JDK {@code HttpClient} builder for a Gateway URL: no proxy for a literal loopback IP, the default selector otherwise. */
    public static HttpClient.Builder httpClientBuilder(URI gatewayUrl) {
        HttpClient.Builder b = HttpClient.newBuilder();
        if (isDirect(gatewayUrl)) {
            b.proxy(HttpClient.Builder.NO_PROXY);
        }
        return b;
    }

    /** Opens a connection to a Gateway URL: directly for a literal loopback IP, through the default selector otherwise. */
    public static URLConnection openConnection(URL url) throws IOException {
        URI uri;
        try {
            uri = url.toURI();
        } catch (java.net.URISyntaxException e) {
            return url.openConnection();
        }
        return isDirect(uri) ? url.openConnection(Proxy.NO_PROXY) : url.openConnection();
    }
}
