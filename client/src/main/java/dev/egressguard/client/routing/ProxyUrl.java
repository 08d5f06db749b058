package dev.egressguard.client.routing;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.TargetUrl;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A forward proxy's URL, parsed the way browsers parse URLs (WHATWG host rules: {@code 127.1} is
 * {@code 127.0.0.1}), or a SOCKS proxy's {@code socks5h://} URL ({@link #tryParseSocks}).
 * Credentials may be present; {@link #toString()} and {@link #redacted()} never show them,
 * {@link #toUriString()} (for a child's environment) does.
 */
public final class ProxyUrl {
    /** The one SOCKS scheme accepted: SOCKS5 with names resolved by the proxy. */
    public static final String SOCKS_SCHEME = "socks5h";

    private final String scheme;
    private final String host;
    private final int port;
    private final boolean explicitPort;
    private final String rawUserInfo;

    private ProxyUrl(String scheme, String host, int port, boolean explicitPort, String rawUserInfo) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.explicitPort = explicitPort;
        this.rawUserInfo = rawUserInfo;
    }

    /**
     * Any URL whose host parses (http, https, ws, wss), credentials kept; empty for text that is
     * not such a URL. Whether it may serve as the routing proxy is {@link #isUsableForwardProxy()}.
     */
    public static Optional<ProxyUrl> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Optional<TargetUrl> url = TargetUrl.tryParse(text.strip());
        if (url.isEmpty()) {
            return Optional.empty();
        }
        TargetUrl u = url.get();
        String userInfo = u.rawUserInfo().orElse(null);
        if (userInfo != null && !decodes(userInfo)) {
            return Optional.empty(); // a broken %-escape is not a URL; failing later would print the password
        }
        return Optional.of(new ProxyUrl(u.scheme(), u.host(), u.port(), u.hasWrittenPort(), userInfo));
    }

    /**
     * A SOCKS proxy's URL: {@code socks5h://[user[:password]@]host:port} (scheme in any case),
     * credentials kept; empty for anything else, {@code socks5://} included (that scheme tells
     * clients to resolve names themselves, so the proxy would see addresses instead of names).
     */
    public static Optional<ProxyUrl> tryParseSocks(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = text.strip();
        String prefix = SOCKS_SCHEME + "://";
        if (!s.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return Optional.empty();
        }
        return tryParse("http://" + s.substring(prefix.length()))
                .filter(u -> u.explicitPort && !u.host.isEmpty())
                .map(u -> new ProxyUrl(SOCKS_SCHEME, u.host, u.port, true, u.rawUserInfo));
    }

    /** The same scheme and credentials at another address: what a child reaches through a local forwarder. */
    public ProxyUrl at(String newHost, int newPort) {
        return new ProxyUrl(scheme, newHost, newPort, true, rawUserInfo);
    }

    public String scheme() {
        return scheme;
    }

    private static boolean decodes(String userInfo) {
        try {
            decode(userInfo);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A plain-HTTP forward proxy with a host and an explicit port: what routing accepts. */
    public boolean isUsableForwardProxy() {
        return scheme.equals("http") && !host.isEmpty() && explicitPort;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The host as it goes in a URL: IPv6 in brackets. */
    public String uriHost() {
        return Hostnames.bracketIpv6(host);
    }

    public boolean hasCredentials() {
        return rawUserInfo != null;
    }

    /** The user name, percent-decoded; empty when there are no credentials. */
    public Optional<String> username() {
        if (rawUserInfo == null) {
            return Optional.empty();
        }
        int colon = rawUserInfo.indexOf(':');
        return Optional.of(decode(colon < 0 ? rawUserInfo : rawUserInfo.substring(0, colon)));
    }

    /** The password, percent-decoded; empty when there is none. */
    public Optional<String> password() {
        if (rawUserInfo == null || rawUserInfo.indexOf(':') < 0) {
            return Optional.empty();
        }
        return Optional.of(decode(rawUserInfo.substring(rawUserInfo.indexOf(':') + 1)));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** True when the host is loopback: {@code localhost} (any case, trailing dot) or a loopback IP in any spelling. */
    public boolean isLoopback() {
        String h = Hostnames.normalize(host);
        if (h.equals("localhost")) {
            return true;
        }
        Optional<IpAddress> ip = IpLiterals.tryParse(h);
        if (ip.isEmpty()) {
            return false;
        }
        return ip.get().unmapIpv4().orElse(ip.get()).isLoopback();
    }

    /** The URL with credentials, for a child process's environment; never print it. */
    public String toUriString() {
        return scheme + "://" + (rawUserInfo == null ? "" : rawUserInfo + "@") + uriHost() + (explicitPort ? ":" + port : "");
    }

    /** The URL as it may be printed: user and password each replaced by {@code redacted}, no path, query or fragment. */
    public String redacted() {
        String creds = "";
        if (rawUserInfo != null) {
            creds = rawUserInfo.indexOf(':') >= 0 ? "redacted:redacted@" : "redacted@";
        }
        boolean showPort = scheme.equals(SOCKS_SCHEME) || port != TargetUrl.defaultPort(scheme);
        return scheme + "://" + creds + uriHost() + (showPort ? ":" + port : "") + "/";
    }

    @Override
    public String toString() {
        return redacted();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyUrl && ((ProxyUrl) o).toUriString().equals(toUriString());
    }

    @Override
    public int hashCode() {
        return Objects.hash(toUriString());
    }
}
