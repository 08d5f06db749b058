package dev.egressguard.client.fetch;

import dev.egressguard.client.routing.ProxyUrl;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.TargetUrl;
import dev.egressguard.core.net.UrlCredentials;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP proxy a guarded fetch goes through, if any, and how the guard treats it.
 *
 * <ul>
 *   <li>{@link Mode#EXPLICIT} is OpenClaw's {@code dispatcherPolicy} {@code explicit-proxy}: the
 *       proxy host is itself SSRF-checked (without the target's hostname allowlist; private space
 *       only with {@code allowPrivateProxy}), the target is checked in full (host rules, DNS,
 *       every answer), and only https targets are fetched, tunnelled with CONNECT.</li>
 *   <li>{@link Mode#ROUTING} is the operator's filtering proxy (OpenClaw's managed proxy): it
 *       resolves names and applies the egress policy itself, so the guard applies the host rules
 *       only and does no local DNS for the target. http goes in absolute form, https by CONNECT.</li>
 * </ul>
 *
 * @param host the proxy host as written (a name or an IP literal without brackets)
 */
record UpstreamProxy(Mode mode, String host, int port, boolean allowPrivateProxy, String authorization) {
    static final String INVALID_EXPLICIT = "Invalid explicit proxy URL";
    static final String EXPLICIT_NOT_HTTP = "Explicit proxy URL must use http or https";

    /** How the guard treats the proxy. */
    enum Mode { EXPLICIT, ROUTING }

    UpstreamProxy {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(host, "host");
    }

    /**
     * @throws IllegalArgumentException OpenClaw's {@code Invalid explicit proxy URL} or
     *                                  {@code Explicit proxy URL must use http or https}; an https
     *                                  proxy (OkHttp speaks plain HTTP to proxies) or credentials in
     *                                  the URL are refused with a message naming the problem
     */
    static UpstreamProxy explicit(String proxyUrl, boolean allowPrivateProxy) {
        TargetUrl.Result parsed = TargetUrl.parse(Objects.requireNonNull(proxyUrl, "proxyUrl"));
        if (parsed.problem().filter(p -> p == TargetUrl.Problem.INVALID).isPresent()) {
            throw new IllegalArgumentException(INVALID_EXPLICIT);
        }
        TargetUrl url = parsed.url().filter(u -> u.scheme().equals("http") || u.scheme().equals("https"))
                .orElseThrow(() -> new IllegalArgumentException(EXPLICIT_NOT_HTTP));
        return new UpstreamProxy(Mode.EXPLICIT, plainHttp(url, "explicitProxy"), url.port(), allowPrivateProxy, null);
    }

    /** @throws IllegalArgumentException anything but {@code http://host[:port]} */
    static UpstreamProxy routing(String proxyUrl) {
        Optional<TargetUrl> url = TargetUrl.tryParse(Objects.requireNonNull(proxyUrl, "proxyUrl"))
                .filter(u -> u.scheme().equals("http"));
        if (url.isEmpty()) {
            throw new IllegalArgumentException("routingProxy: \"" + UrlCredentials.redact(proxyUrl) + "\" (expected: an http:// forward proxy URL)");
        }
        return new UpstreamProxy(Mode.ROUTING, plainHttp(url.get(), "routingProxy"), url.get().port(), false, null);
    }

    /** The JVM's active routing proxy, credentials included (sent as Basic when the proxy asks). */
    static UpstreamProxy routing(ProxyUrl url) {
        String auth = url.hasCredentials() ? okhttp3.Credentials.basic(url.username().orElse(""), url.password().orElse(""),
                java.nio.charset.StandardCharsets.UTF_8) : null;
        return new UpstreamProxy(Mode.ROUTING, url.host(), url.port(), false, auth);
    }

    private static String plainHttp(TargetUrl url, String option) {
        if (!url.scheme().equals("http")) {
            throw new IllegalArgumentException(option + ": " + url + " (expected: http://; OkHttp cannot speak TLS to a proxy)");
        }
        if (url.hasUserInfo()) {
            throw new IllegalArgumentException(option + ": " + url + " has credentials in the URL (expected: none)");
        }
        return url.host();
    }

    /** {@code http://host:port}, for messages. */
    String origin() {
        return "http://" + Hostnames.bracketIpv6(host) + ":" + port;
    }
}
