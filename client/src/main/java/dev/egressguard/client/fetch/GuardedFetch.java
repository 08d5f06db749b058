package dev.egressguard.client.fetch;

import dev.egressguard.core.guard.GuardPolicy;
import dev.egressguard.core.guard.PinnedHostname;
import dev.egressguard.core.guard.SsrfBlockedException;
import dev.egressguard.core.guard.SsrfGuard;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.Resolver;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import dev.egressguard.client.routing.ProxyRouting;
import dev.egressguard.client.routing.RoutingSettings;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

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
 * <p>Failures are unchecked {@link GuardedFetchException}s; a refusal by the guard is a
 * {@link FetchBlockedException}. Nothing is logged but the presence of the test-only dial remap.
 */
public final class GuardedFetch {
    public static final int DEFAULT_MAX_REDIRECTS = 3;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_OVERALL_TIMEOUT = Duration.ofSeconds(60);
    public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;

    /** Framing and connection fields OkHttp writes itself; a caller's copies are not sent. */
    private static final Set<String> TRANSPORT_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade");
    private static final Set<String> METHODS_REQUIRING_BODY = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

    private final Builder config;
    private final SsrfGuard guard;
    private final SsrfGuard proxyGuard;
    private final OkHttpClient base;

    private GuardedFetch(Builder b) {
        this.config = b.copy();
        this.guard = new SsrfGuard(b.policy);
        GuardPolicy forProxy = b.policy.withHostnameAllowlist(List.of());
        if (b.proxy != null && b.proxy.allowPrivateProxy()) {
            forProxy = forProxy.withUnsafeAllowPrivateNetwork(true);
        }
        this.proxyGuard = new SsrfGuard(forProxy);
        SocketFactory sockets = b.dialRemap == null ? b.socketFactory : new RemappingSocketFactory(b.socketFactory, b.dialRemap);
        OkHttpClient.Builder ok = new OkHttpClient.Builder()
                .followRedirects(false)
                .followSslRedirects(false)
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout)
                .writeTimeout(b.readTimeout)
                .proxy(Proxy.NO_PROXY)
                .socketFactory(sockets);
        if (b.sslSocketFactory != null) {
            ok.sslSocketFactory(b.sslSocketFactory, b.trustManager);
        }
        this.base = ok.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this fetch's settings. */
    public Builder newBuilder() {
        return config.copy();
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
        for (int redirects = 0; redirects <= config.maxRedirects; redirects++) {
            if (hop.target().hasUserInfo()) {
                checkHostRules(hop.target(), requests); // a blocked host reports as blocked (OpenClaw's order); no DNS either way
                throw new InvalidFetchUrlException("URL must not include credentials: " + hop.target().origin(), requests);
            }
            HopRoute route = vet(hop.target(), requests);
            Duration remaining = remaining(started, hop.target(), requests); // after DNS, which counts
            ConnectPhaseListener phase = new ConnectPhaseListener();
            requests++;
            try (Response response = send(route, hop, remaining, phase, started, requests)) {
                int status = response.code();
                if (!RedirectRules.isRedirect(status)) {
                    return result(hop, response, phase, started, requests);
                }
                if (redirects == config.maxRedirects) {
                    throw FetchRedirectException.tooMany(status, config.maxRedirects, requests);
                }
                String location = response.header("Location");
                if (location == null || location.isEmpty()) {
                    throw FetchRedirectException.missingLocation(status, requests);
                }
                HopTarget nextTarget = hop.target().resolve(location, requests);
                Hop next = RedirectRules.follow(hop, status, nextTarget, config.allowCrossOriginUnsafeRedirectReplay);
                if (!visited.add(next.visitKey())) {
                    throw FetchRedirectException.loop(status, requests);
                }
                requireScheme(nextTarget, requests);
                hop = next;
            }
        }
        throw new AssertionError("the redirect limit ends the loop above");
    }

    private void requireScheme(HopTarget target, int requests) {
        if (config.requireHttps && !target.isHttps()) {
            throw new InvalidFetchUrlException(InvalidFetchUrlException.NOT_HTTPS, requests);
        }
    }

    private Duration remaining(long started, HopTarget target, int requests) {
        Duration left = config.overallTimeout.minusNanos(System.nanoTime() - started);
        if (left.isNegative() || left.isZero()) {
            throw new FetchTimeoutException(FetchTimeoutException.Phase.OVERALL, config.overallTimeout, target.origin(), null,
                    requests);
        }
        return left;
    }

    /** Where a hop's connection may go: the names OkHttp may look up, the proxy if any, and its credentials. */
    private record HopRoute(PinnedDns dns, Proxy proxy, String proxyAuthorization) {
        HopRoute(PinnedDns dns, Proxy proxy) {
            this(dns, proxy, null);
        }
    }

    /**
     * The proxy for this fetch: the one configured, else the JVM's active routing (the agent or
     * {@link ProxyRouting}), so that a guarded fetch never goes around the operator's proxy;
     * {@link Builder#noProxy()} opts out explicitly.
     */
    private UpstreamProxy effectiveProxy() {
        if (config.proxy != null || config.ignoreActiveRouting) {
            return config.proxy;
        }
        return ProxyRouting.active().filter(RoutingSettings::enabled).map(s -> UpstreamProxy.routing(s.proxy())).orElse(null);
    }

    private void checkHostRules(HopTarget target, int requests) {
        try {
            guard.checkHost(target.host());
        } catch (SsrfBlockedException e) {
            throw new FetchBlockedException(e, target.host(), requests);
        }
    }

    private HopRoute vet(HopTarget target, int requests) {
        UpstreamProxy proxy = effectiveProxy();
        if (proxy == null) {
            PinnedHostname pinned = pin(guard, target.host(), requests);
            // keyed by the host OkHttp looks up (the same host, maybe spelled differently for a literal)
            return new HopRoute(PinnedDns.of(target.httpUrl().host(), inet(pinned.addresses())), Proxy.NO_PROXY);
        }
        Proxy viaProxy = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.host(), proxy.port()));
        if (proxy.mode() == UpstreamProxy.Mode.EXPLICIT) {
            if (!target.isHttps()) {
                throw new FetchProxyException(FetchProxyException.HTTPS_ONLY, requests);
            }
            PinnedHostname proxyPin = pin(proxyGuard, proxy.host(), requests);
            pin(guard, target.host(), requests); // the proxy resolves again; TLS proves the host
            return new HopRoute(PinnedDns.of(proxy.host(), inet(proxyPin.addresses())), viaProxy);
        }
        checkHostRules(target, requests);
        return new HopRoute(PinnedDns.of(proxy.host(), routingProxyAddresses(proxy, requests)), viaProxy, proxy.authorization());
    }

    private PinnedHostname pin(SsrfGuard with, String host, int requests) {
        try {
            return with.pin(host, config.resolver);
        } catch (SsrfBlockedException e) {
            throw new FetchBlockedException(e, host, requests);
        } catch (UnknownHostException e) {
            throw new FetchResolveException(e.getMessage(), host, requests);
        }
    }

    /** The operator's proxy is trusted: its literal is used as is, its name resolved but not classified. */
    private List<InetAddress> routingProxyAddresses(UpstreamProxy proxy, int requests) {
        Optional<IpAddress> literal = IpLiterals.tryParse(proxy.host());
        if (literal.isPresent()) {
            return List.of(literal.get().toInetAddress());
        }
        try {
            List<IpAddress> answers = config.resolver.resolve(proxy.host());
            if (answers != null && !answers.isEmpty()) {
                return inet(answers);
            }
        } catch (UnknownHostException e) {
            // reported below
        }
        throw new FetchResolveException("Unable to resolve hostname: " + proxy.host(), proxy.host(), requests);
    }

    private static List<InetAddress> inet(List<IpAddress> addresses) {
        List<InetAddress> out = new ArrayList<>(addresses.size());
        addresses.forEach(a -> out.add(a.toInetAddress()));
        return out;
    }

    private Response send(HopRoute route, Hop hop, Duration remaining, ConnectPhaseListener phase, long started, int requests) {
        OkHttpClient client = base.newBuilder()
                .dns(route.dns())
                .proxy(route.proxy())
                .callTimeout(Duration.ofMillis(Math.max(1, remaining.toMillis()))) // 0 would mean none
                .eventListener(phase)
                .proxyAuthenticator(route.proxyAuthorization() == null ? okhttp3.Authenticator.NONE
                        : (r, challenge) -> challenge.request().header("Proxy-Authorization") != null ? null
                                : challenge.request().newBuilder().header("Proxy-Authorization", route.proxyAuthorization()).build())
                .build();
        Request.Builder request = new Request.Builder().url(hop.target().httpUrl());
        hop.headers().removing(TRANSPORT_HEADERS).forEach(request::addHeader);
        RequestBody body = hop.body() != null ? RequestBody.create(hop.body(), null)
                : METHODS_REQUIRING_BODY.contains(hop.method()) ? RequestBody.create(new byte[0], null) : null;
        request.method(hop.method(), body);
        try {
            return client.newCall(request.build()).execute();
        } catch (IOException e) {
            throw failure(e, hop.target(), phase, started, requests);
        }
    }

    private FetchResult result(Hop hop, Response response, ConnectPhaseListener phase, long started, int requests) {
        byte[] body;
        try {
            body = readCapped(response.body(), hop.target(), requests);
        } catch (IOException e) {
            throw failure(e, hop.target(), phase, started, requests);
        }
        FetchHeaders.Builder headers = FetchHeaders.builder();
        Headers received = response.headers();
        for (int i = 0; i < received.size(); i++) {
            headers.addReceived(received.name(i), received.value(i));
        }
        return new FetchResult(hop.target().toString(), hop.target().origin(), response.code(), headers.build(), body, requests);
    }

    private byte[] readCapped(ResponseBody body, HopTarget target, int requests) throws IOException {
        if (body == null) {
            return new byte[0];
        }
        long limit = config.maxBodyBytes;
        if (body.contentLength() > limit) {
            throw new FetchBodyTooLargeException(limit, target.origin(), requests);
        }
        BufferedSource source = body.source();
        Buffer buffer = new Buffer();
        // Each read adds at least one byte or ends the stream; the cap ends it past the limit.
        while (source.read(buffer, 8192) != -1) {
            if (buffer.size() > limit) {
                throw new FetchBodyTooLargeException(limit, target.origin(), requests);
            }
        }
        return buffer.readByteArray();
    }

    private GuardedFetchException failure(IOException e, HopTarget target, ConnectPhaseListener phase, long started,
                                          int requests) {
        boolean overallPassed = System.nanoTime() - started >= config.overallTimeout.toNanos();
        boolean callTimedOut = e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)
                && "timeout".equals(e.getMessage());
        if (overallPassed || callTimedOut) {
            return new FetchTimeoutException(FetchTimeoutException.Phase.OVERALL, config.overallTimeout, target.origin(), e,
                    requests);
        }
        if (e instanceof SocketTimeoutException) {
            return phase.connected
                    ? new FetchTimeoutException(FetchTimeoutException.Phase.READ, config.readTimeout, target.origin(), e, requests)
                    : new FetchTimeoutException(FetchTimeoutException.Phase.CONNECT, config.connectTimeout, target.origin(), e,
                            requests);
        }
        return new FetchConnectionException(target.origin(), e, requests);
    }

    /** Tells a connect timeout from a read timeout: whether the call ever got a connection. */
    private static final class ConnectPhaseListener extends EventListener {
        volatile boolean connected;

        @Override
        public void connectionAcquired(Call call, Connection connection) {
            connected = true;
        }
    }

    public GuardPolicy policy() {
        return config.policy;
    }

    public int maxRedirects() {
        return config.maxRedirects;
    }

    public boolean requireHttps() {
        return config.requireHttps;
    }

    public boolean allowCrossOriginUnsafeRedirectReplay() {
        return config.allowCrossOriginUnsafeRedirectReplay;
    }

    public Duration connectTimeout() {
        return config.connectTimeout;
    }

    public Duration readTimeout() {
        return config.readTimeout;
    }

    public Duration overallTimeout() {
        return config.overallTimeout;
    }

    public long maxBodyBytes() {
        return config.maxBodyBytes;
    }

    @Override
    public String toString() {
        return "GuardedFetch{maxRedirects=" + config.maxRedirects + ", requireHttps=" + config.requireHttps
                + ", proxy=" + (config.proxy == null ? "none" : config.proxy.mode() + " " + config.proxy.origin())
                + ", connectTimeout=" + config.connectTimeout + ", readTimeout=" + config.readTimeout
                + ", overallTimeout=" + config.overallTimeout + ", maxBodyBytes=" + config.maxBodyBytes
                + (config.dialRemap != null ? ", UNSAFE dial remap" : "") + "}";
    }

    private static final AtomicBoolean REMAP_LOGGED = new AtomicBoolean();

    /** Settings of a {@link GuardedFetch}; every one has a safe default. */
    public static final class Builder {
        private GuardPolicy policy = GuardPolicy.defaults();
        private Resolver resolver = SystemResolver.INSTANCE;
        private int maxRedirects = DEFAULT_MAX_REDIRECTS;
        private boolean allowCrossOriginUnsafeRedirectReplay;
        private boolean requireHttps;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private Duration overallTimeout = DEFAULT_OVERALL_TIMEOUT;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private UpstreamProxy proxy;
        private boolean ignoreActiveRouting;
        private SocketFactory socketFactory = SocketFactory.getDefault();
        private SSLSocketFactory sslSocketFactory;
        private X509TrustManager trustManager;
        private UnaryOperator<InetSocketAddress> dialRemap;

        private Builder() {}

        private Builder copy() {
            Builder b = new Builder();
            b.policy = policy;
            b.resolver = resolver;
            b.maxRedirects = maxRedirects;
            b.allowCrossOriginUnsafeRedirectReplay = allowCrossOriginUnsafeRedirectReplay;
            b.requireHttps = requireHttps;
            b.connectTimeout = connectTimeout;
            b.readTimeout = readTimeout;
            b.overallTimeout = overallTimeout;
            b.maxBodyBytes = maxBodyBytes;
            b.proxy = proxy;
            b.ignoreActiveRouting = ignoreActiveRouting;
            b.socketFactory = socketFactory;
            b.sslSocketFactory = sslSocketFactory;
            b.trustManager = trustManager;
            b.dialRemap = dialRemap;
            return b;
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
            if (maxRedirects < 0) {
                throw new IllegalArgumentException("maxRedirects: " + maxRedirects + " (expected: >= 0)");
            }
            this.maxRedirects = maxRedirects;
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
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** The longest wait for bytes (or to write them) on a connected socket. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive("readTimeout", timeout);
            return this;
        }

        /**
         * The whole fetch: every hop's connect, request and response, and the body. Time spent in
         * the {@link Resolver} counts, but a resolver call is not interrupted.
         */
        public Builder overallTimeout(Duration timeout) {
            this.overallTimeout = positive("overallTimeout", timeout);
            return this;
        }

        /** The longest response body read; a longer one is a {@link FetchBodyTooLargeException}. */
        public Builder maxBodyBytes(long max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxBodyBytes: " + max + " (expected: > 0)");
            }
            this.maxBodyBytes = max;
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

        /** Where TCP sockets come from (e.g. to bind a local address); the JVM default unless set. */
        public Builder socketFactory(SocketFactory factory) {
            Objects.requireNonNull(factory, "factory");
            if (factory instanceof SSLSocketFactory) {
                throw new IllegalArgumentException("socketFactory: " + factory + " (expected: a plain socket factory;"
                        + " use sslSocketFactory for TLS)");
            }
            this.socketFactory = factory;
            return this;
        }

        /** The TLS socket factory and the trust manager it uses (a private CA, say); the JVM's unless set. */
        public Builder sslSocketFactory(SSLSocketFactory factory, X509TrustManager trustManager) {
            this.sslSocketFactory = Objects.requireNonNull(factory, "factory");
            this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
            return this;
        }

        /**
         * FOR TESTS ONLY. Every connect goes to {@code remap(address)} instead of the vetted
         * address (or proxy address) OkHttp chose, so that a test can judge the real answers of a
         * vector (public addresses, say) while dialling a loopback stand-in. The guard's decisions
         * do not change; only the dial moves. Never set this in production: it sends connections
         * somewhere the guard did not check. Its presence is logged (once per JVM) when built.
         */
        public Builder unsafeDialRemap(UnaryOperator<InetSocketAddress> remap) {
            this.dialRemap = Objects.requireNonNull(remap, "remap");
            return this;
        }

        public GuardedFetch build() {
            if (dialRemap != null && REMAP_LOGGED.compareAndSet(false, true)) {
                System.getLogger(GuardedFetch.class.getName()).log(System.Logger.Level.WARNING,
                        "unsafeDialRemap is set: connections go where the test's remap sends them, not to the vetted addresses");
            }
            return new GuardedFetch(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
            return d;
        }
    }
}
