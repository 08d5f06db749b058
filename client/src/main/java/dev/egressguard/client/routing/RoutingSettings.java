package dev.egressguard.client.routing;

import java.util.Objects;
import java.util.Optional;

/**
 * The resolved routing decision for a protected process: off, or on through one plain-HTTP
 * forward proxy. Only {@link RoutingConfig} makes enabled instances, after validating the URL.
 *
 * @param source where the URL came from ({@code proxy.proxyUrl in FILE}, {@code OPENCLAW_PROXY_URL}, ...)
 */
public record RoutingSettings(boolean enabled, Optional<ProxyUrl> proxyUrl, String source) {
    private static final RoutingSettings DISABLED = new RoutingSettings(false, Optional.empty(), "proxy.enabled is not true");

    public RoutingSettings {
        Objects.requireNonNull(proxyUrl, "proxyUrl");
        Objects.requireNonNull(source, "source");
        if (enabled && proxyUrl.map(u -> !u.isUsableForwardProxy()).orElse(true)) {
            throw new IllegalArgumentException("proxyUrl: " + proxyUrl.map(ProxyUrl::redacted).orElse("(none)")
                    + " (expected: an http:// forward proxy with host and port)");
        }
    }

    public static RoutingSettings disabled() {
        return DISABLED;
    }

    /** Routing through {@code proxy}; the URL must be a usable {@code http://host:port} forward proxy. */
    public static RoutingSettings through(ProxyUrl proxy, String source) {
        return new RoutingSettings(true, Optional.of(proxy), source);
    }

    /** The proxy; only for enabled settings. */
    public ProxyUrl proxy() {
        return proxyUrl.orElseThrow(() -> new IllegalStateException("routing is disabled"));
    }

    @Override
    public String toString() {
        return enabled ? "routing through " + proxy().redacted() + " (" + source + ")" : "routing off (" + source + ")";
    }
}
