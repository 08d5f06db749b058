package dev.egressguard.client.fetch;

import dev.egressguard.core.guard.GuardPolicy;
import dev.egressguard.core.net.Resolver;
import java.time.Duration;
import java.util.Objects;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The settings of a {@link GuardedFetch}: immutable, every one checked here and with a safe
 * default in {@link #defaults()}. {@link GuardedFetch.Builder} documents each and checks a value
 * as it is set, with the same messages.
 *
 * @param proxy               the proxy set on the builder, or {@code null}: then the JVM's active
 *                            routing, unless {@code ignoreActiveRouting}
 * @param ignoreActiveRouting {@link GuardedFetch.Builder#noProxy()}: direct even when the JVM
 *                            routes through the operator's proxy
 * @param sslSocketFactory    the TLS socket factory, or {@code null} for the JVM's (then
 *                            {@code trustManager} is {@code null} too)
 */
record FetchOptions(GuardPolicy policy, Resolver resolver, int maxRedirects, boolean allowCrossOriginUnsafeRedirectReplay,
                    boolean requireHttps, Duration connectTimeout, Duration readTimeout, Duration overallTimeout,
                    long maxBodyBytes, UpstreamProxy proxy, boolean ignoreActiveRouting, SocketFactory socketFactory,
                    SSLSocketFactory sslSocketFactory, X509TrustManager trustManager) {
    private static final FetchOptions DEFAULTS = new FetchOptions(GuardPolicy.defaults(), SystemResolver.INSTANCE,
            GuardedFetch.DEFAULT_MAX_REDIRECTS, false, false, GuardedFetch.DEFAULT_CONNECT_TIMEOUT,
            GuardedFetch.DEFAULT_READ_TIMEOUT, GuardedFetch.DEFAULT_OVERALL_TIMEOUT, GuardedFetch.DEFAULT_MAX_BODY_BYTES,
            null, false, SocketFactory.getDefault(), null, null);

    FetchOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(resolver, "resolver");
        checkMaxRedirects(maxRedirects);
        checkPositive("connectTimeout", connectTimeout);
        checkPositive("readTimeout", readTimeout);
        checkPositive("overallTimeout", overallTimeout);
        checkMaxBodyBytes(maxBodyBytes);
        checkPlain(socketFactory);
        if ((sslSocketFactory == null) != (trustManager == null)) {
            throw new IllegalArgumentException("sslSocketFactory and trustManager: set both or neither");
        }
    }

    /** No proxy set, the JVM's resolver, sockets and TLS, and the {@code GuardedFetch.DEFAULT_*} limits. */
    static FetchOptions defaults() {
        return DEFAULTS;
    }

    static int checkMaxRedirects(int maxRedirects) {
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects: " + maxRedirects + " (expected: >= 0)");
        }
        return maxRedirects;
    }

    static Duration checkPositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
        return d;
    }

    static long checkMaxBodyBytes(long max) {
        if (max <= 0) {
            throw new IllegalArgumentException("maxBodyBytes: " + max + " (expected: > 0)");
        }
        return max;
    }

    static SocketFactory checkPlain(SocketFactory factory) {
        Objects.requireNonNull(factory, "factory");
        if (factory instanceof SSLSocketFactory) {
            throw new IllegalArgumentException("socketFactory: " + factory + " (expected: a plain socket factory;"
                    + " use sslSocketFactory for TLS)");
        }
        return factory;
    }
}
