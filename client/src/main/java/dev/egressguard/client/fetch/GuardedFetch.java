package dev.egressguard.client.fetch;

import dev.egressguard.client.fetch.HopTransport.ConnectPhaseListener;
import dev.egressguard.core.guard.GuardPolicy;
import dev.egressguard.core.guard.SsrfGuard;
import dev.egressguard.core.net.Resolver;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Response;

/**
 * A guarded HTTP fetch: the Java counterpart of OpenClaw's {@code fetchWithSsrFGuard}. Immutable
 * and thread-safe; make one with {@link #builder()} and share it.
 *
 * <p>Each hop (the first URL and every redirect target) is judged from scratch, in this order:
 * <ol>
 *   <li>the URL: http or https only (https only with {@code requireHttps}), its host read as
 *       browsers read it ({@code http://0x7f000001/} is 127.0.0.1);</li>
 *   <li>the host rules of {@link SsrfGuard} (allowlist, blocklist, blocked names, IP literals);</li>
 *   <li>resolution through the {@link Resolver}, and every answer classified: one blocked answer
 *       refuses the hop, so a mixed public/private answer is refused;</li>
 *   <li>the connection, pinned to exactly the vetted answers by an OkHttp {@code Dns} that only
 *       returns them: OkHttp never resolves anything itself.</li>
 * </ol>
 * Redirects are followed here, never by OkHttp: at most {@code maxRedirects} (3 by default),
 * loops refused, the method and body rewritten and credentials dropped across origins as
 * {@link RedirectRules} describes.
 *
 * <p>With an {@linkplain Builder#explicitProxy explicit proxy} the proxy host is checked too and
 * only https targets are fetched (CONNECT). With the {@linkplain Builder#routingProxy routing
 * proxy} (the operator's filtering proxy, which resolves and enforces itself) the guard applies
 * the host rules and leaves DNS to the proxy. The JVM's default {@code ProxySelector} is never
 * consulted.
 *
 * <p>The steps are pieces of their own: {@link RouteVetter} (host rules, resolve, classify, pin),
 * {@link HopTransport} (one request over the pinned connection), {@link RedirectRules} (the next
 * hop) and {@link FetchFailures} (exceptions as {@link GuardedFetchException}s). This class runs
 * them in order and counts the requests and the time.
 *
 * <p>Failures are unchecked {@link GuardedFetchException}s; a refusal by the guard is a
 * {@link FetchBlockedException}. Nothing is logged but the use of
 * {@link GuardPolicy#unsafeAllowPrivateNetwork()} (once per JVM, when such a fetch is built).
 */
public final class GuardedFetch {
    public static final int DEFAULT_MAX_REDIRECTS = 3;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_OVERALL_TIMEOUT = Duration.ofSeconds(60);
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;

    private static final AtomicBoolean UNSAFE_LOGGED = new AtomicBoolean();

    private final FetchOptions options;
    private final RouteVetter vetter;
    private final HopTransport transport;

    private GuardedFetch(FetchOptions options) {
        this.options = options;
        this.vetter = new RouteVetter(options);
        this.transport = new HopTransport(options);
        if (options.policy().unsafeAllowPrivateNetwork() && UNSAFE_LOGGED.compareAndSet(false, true)) {
            System.getLogger(GuardedFetch.class.getName()).log(System.Logger.Level.WARNING,
                    "GuardPolicy.unsafeAllowPrivateNetwork is set: the guard lets private, loopback and metadata"
                            + " addresses through");
        }
    }

    public static Builder builder() {
        return new Builder(FetchOptions.defaults());
    }

    /** A builder holding this fetch's settings. */
    public Builder newBuilder() {
        return new Builder(options);
    }

    /** GET {@code url}. */
    public FetchResult fetch(String url) {
        return fetch(FetchRequest.get(url));
    }

    /**
     * Sends {@code request}, following redirects, and returns the final response with its body.
     *
     * @throws FetchBlockedException       the guard refused a host or an address
     * @throws InvalidFetchUrlException    the URL or a redirect target is not fetchable
     * @throws FetchRedirectException      too many redirects, a loop, or no {@code Location}
     * @throws FetchResolveException       a hostname had no answer
     * @throws FetchProxyException         the explicit proxy cannot carry this URL
     * @throws FetchTimeoutException       a connect, read or overall deadline passed
     * @throws FetchBodyTooLargeException  the body is longer than {@code maxBodyBytes}
     * @throws FetchConnectionException    the upstream or proxy could not be reached
     */
    public FetchResult fetch(FetchRequest request) {
        Objects.requireNonNull(request, "request");
        long started = System.nanoTime();
        HopTarget first = HopTarget.parse(request.url(), 0);
        requireScheme(first, 0);
        Hop hop = new Hop(first, request.method(), request.headers(), request.bodyOrNull());
        Set<String> visited = new HashSet<>();
        visited.add(hop.visitKey());
        int requests = 0;
        // Each pass sends one request; it returns, throws, or follows one of at most maxRedirects redirects.
        for (int redirects = 0; redirects <= options.maxRedirects(); redirects++) {
            HopRoute route = vetter.vet(hop.target(), requests);
            Duration remaining = remaining(started, hop.target(), requests); // after DNS, which counts
            ConnectPhaseListener phase = new ConnectPhaseListener();
            requests++;
            try (Response response = send(route, hop, remaining, phase, started, requests)) {
                if (!RedirectRules.isRedirect(response.code())) {
                    return receive(hop, response, phase, started, requests);
                }
                hop = redirect(hop, response, redirects, visited, requests);
            }
        }
        throw new AssertionError("the redirect limit ends the loop above");
    }

    private void requireScheme(HopTarget target, int requests) {
        if (options.requireHttps() && !target.isHttps()) {
            throw new InvalidFetchUrlException(InvalidFetchUrlException.NOT_HTTPS, requests);
        }
    }

    private Duration remaining(long started, HopTarget target, int requests) {
        Duration left = options.overallTimeout().minusNanos(System.nanoTime() - started);
        if (left.isNegative() || left.isZero()) {
            throw FetchFailures.overallTimeout(options, target, null, requests);
        }
        return left;
    }

    private Response send(HopRoute route, Hop hop, Duration remaining, ConnectPhaseListener phase, long started, int requests) {
        try {
            return transport.send(route, hop, remaining, phase);
        } catch (IOException e) {
            throw FetchFailures.fromIo(e, hop.target(), phase.connected(), options, started, requests);
        }
    }

    private FetchResult receive(Hop hop, Response response, ConnectPhaseListener phase, long started, int requests) {
        try {
            return transport.receive(hop, response, requests);
        } catch (IOException e) {
            throw FetchFailures.fromIo(e, hop.target(), phase.connected(), options, started, requests);
        }
    }

    /** The hop a redirect leads to, if it may be followed: within the limit, with a {@code Location}, no loop. */
    private Hop redirect(Hop hop, Response response, int redirects, Set<String> visited, int requests) {
        int status = response.code();
        if (redirects == options.maxRedirects()) {
            throw FetchRedirectException.tooMany(status, options.maxRedirects(), requests);
        }
        String location = response.header("Location");
        if (location == null || location.isEmpty()) {
            throw FetchRedirectException.missingLocation(status, requests);
        }
        HopTarget nextTarget = hop.target().resolve(location, requests);
        Hop next = RedirectRules.follow(hop, status, nextTarget, options.allowCrossOriginUnsafeRedirectReplay());
        if (!visited.add(next.visitKey())) {
            throw FetchRedirectException.loop(status, requests);
        }
        requireScheme(nextTarget, requests);
        return next;
    }

    public GuardPolicy policy() {
        return options.policy();
    }

    public int maxRedirects() {
        return options.maxRedirects();
    }

    public boolean requireHttps() {
        return options.requireHttps();
    }

    public boolean allowCrossOriginUnsafeRedirectReplay() {
        return options.allowCrossOriginUnsafeRedirectReplay();
    }

    public Duration connectTimeout() {
        return options.connectTimeout();
    }

    public Duration readTimeout() {
        return options.readTimeout();
    }

    public Duration overallTimeout() {
        return options.overallTimeout();
    }

    public long maxBodyBytes() {
        return options.maxBodyBytes();
    }

    @Override
    public String toString() {
        return "GuardedFetch{maxRedirects=" + options.maxRedirects() + ", requireHttps=" + options.requireHttps()
                + ", proxy=" + (options.proxy() == null ? "none" : options.proxy().mode() + " " + options.proxy().origin())
                + ", connectTimeout=" + options.connectTimeout() + ", readTimeout=" + options.readTimeout()
                + ", overallTimeout=" + options.overallTimeout() + ", maxBodyBytes=" + options.maxBodyBytes() + "}";
    }

    /** Settings of a {@link GuardedFetch}; every one has a safe default. */
    public static final class Builder {
        private GuardPolicy policy;
        private Resolver resolver;
        private int maxRedirects;
        private boolean allowCrossOriginUnsafeRedirectReplay;
        private boolean requireHttps;
        private Duration connectTimeout;
        private Duration readTimeout;
        private Duration overallTimeout;
        private long maxBodyBytes;
        private UpstreamProxy proxy;
        private boolean ignoreActiveRouting;
        private SocketFactory socketFactory;
        private SSLSocketFactory sslSocketFactory;
        private X509TrustManager trustManager;

        private Builder(FetchOptions o) {
            policy = o.policy();
            resolver = o.resolver();
            maxRedirects = o.maxRedirects();
            allowCrossOriginUnsafeRedirectReplay = o.allowCrossOriginUnsafeRedirectReplay();
            requireHttps = o.requireHttps();
            connectTimeout = o.connectTimeout();
            readTimeout = o.readTimeout();
            overallTimeout = o.overallTimeout();
            maxBodyBytes = o.maxBodyBytes();
            proxy = o.proxy();
            ignoreActiveRouting = o.ignoreActiveRouting();
            socketFactory = o.socketFactory();
            sslSocketFactory = o.sslSocketFactory();
            trustManager = o.trustManager();
        }

        /** The guard's options (OpenClaw's {@code SsrFPolicy}); {@link GuardPolicy#defaults()} unless set. */
        public Builder policy(GuardPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where names are resolved; the JVM's resolver unless set. Only the guard calls it. */
        public Builder resolver(Resolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /** Redirects to follow at most; 0 refuses the first. 3 unless set. */
        public Builder maxRedirects(int maxRedirects) {
            this.maxRedirects = FetchOptions.checkMaxRedirects(maxRedirects);
            return this;
        }

        /**
         * Replays a non-GET/HEAD method's body across origins on 307/308 (OpenClaw's option of the
         * same name). Credential fields are dropped across origins all the same. Off unless set.
         */
        public Builder allowCrossOriginUnsafeRedirectReplay(boolean allow) {
            this.allowCrossOriginUnsafeRedirectReplay = allow;
            return this;
        }

        /** Refuses plain http, for the first URL and every redirect. Off unless set. */
        public Builder requireHttps(boolean require) {
            this.requireHttps = require;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = FetchOptions.checkPositive("connectTimeout", timeout);
            return this;
        }

        /** The longest wait for bytes (or to write them) on a connected socket. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = FetchOptions.checkPositive("readTimeout", timeout);
            return this;
        }

        /**
         * The whole fetch: every hop's connect, request and response, and the body. Time spent in
         * the {@link Resolver} counts, but a resolver call is not interrupted.
         */
        public Builder overallTimeout(Duration timeout) {
            this.overallTimeout = FetchOptions.checkPositive("overallTimeout", timeout);
            return this;
        }

        /** The longest response body read; a longer one is a {@link FetchBodyTooLargeException}. */
        public Builder maxBodyBytes(long max) {
            this.maxBodyBytes = FetchOptions.checkMaxBodyBytes(max);
            return this;
        }

        /**
         * OpenClaw's {@code dispatcherPolicy: {mode: "explicit-proxy", proxyUrl, allowPrivateProxy}}:
         * https targets only, tunnelled with CONNECT through {@code proxyUrl}. The proxy host is
         * SSRF-checked without the hostname allowlist (in private space only with
         * {@code allowPrivateProxy}); the target is checked in full.
         *
         * @throws IllegalArgumentException {@code Invalid explicit proxy URL}, {@code Explicit proxy
         *                                  URL must use http or https}, or an https proxy
         */
        public Builder explicitProxy(String proxyUrl, boolean allowPrivateProxy) {
            this.proxy = UpstreamProxy.explicit(proxyUrl, allowPrivateProxy);
            return this;
        }

        /**
         * Sends every request through the operator's filtering proxy at {@code http://host:port},
         * which resolves names and enforces the egress policy itself: the guard applies its host
         * rules first and does no local DNS for targets.
         *
         * @throws IllegalArgumentException not an {@code http://} URL
         */
        public Builder routingProxy(String proxyUrl) {
            this.proxy = UpstreamProxy.routing(proxyUrl);
            return this;
        }

        /** Connects directly (the default): no proxy, and never the JVM's {@code ProxySelector}. */
        public Builder noProxy() {
            this.proxy = null;
            this.ignoreActiveRouting = true;
            return this;
        }

        /**
         * Where TCP sockets come from (to bind a local address, say); the JVM default unless set.
         * Every connection the fetch makes, to the vetted address or proxy it chose, is created and
         * connected through it. Tests use this seam to dial loopback stand-ins.
         */
        public Builder socketFactory(SocketFactory factory) {
            this.socketFactory = FetchOptions.checkPlain(factory);
            return this;
        }

        /** The TLS socket factory and the trust manager it uses (a private CA, say); the JVM's unless set. */
        public Builder sslSocketFactory(SSLSocketFactory factory, X509TrustManager trustManager) {
            this.sslSocketFactory = Objects.requireNonNull(factory, "factory");
            this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
            return this;
        }

        public GuardedFetch build() {
            return new GuardedFetch(new FetchOptions(policy, resolver, maxRedirects, allowCrossOriginUnsafeRedirectReplay,
                    requireHttps, connectTimeout, readTimeout, overallTimeout, maxBodyBytes, proxy, ignoreActiveRouting,
                    socketFactory, sslSocketFactory, trustManager));
        }
    }
}
