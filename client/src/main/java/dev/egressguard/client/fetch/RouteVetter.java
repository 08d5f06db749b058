package dev.egressguard.client.fetch;

import dev.egressguard.client.routing.ProxyRouting;
import dev.egressguard.client.routing.RoutingSettings;
import dev.egressguard.core.guard.GuardPolicy;
import dev.egressguard.core.guard.PinnedHostname;
import dev.egressguard.core.guard.SsrfBlockedException;
import dev.egressguard.core.guard.SsrfGuard;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.Resolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The first step of every hop: where its connection may go. The guard's host rules
 * ({@link SsrfGuard}: allowlist, blocklist, blocked names, IP literals), then resolution through
 * the {@link Resolver} with every answer classified (one blocked answer refuses the hop), and the
 * connection pinned to exactly the vetted answers ({@link PinnedDns}).
 *
 * <p>With an explicit proxy, the proxy host is vetted the same way (without the target's hostname
 * allowlist; in private space only with {@code allowPrivateProxy}) and the connection pinned to
 * it, while the target is still vetted in full. The operator's routing proxy is trusted (its
 * name resolved, not classified) and resolves targets itself: the target gets the host rules and
 * no local DNS.
 */
final class RouteVetter {
    private final SsrfGuard guard;
    private final SsrfGuard proxyGuard;
    private final Resolver resolver;
    private final UpstreamProxy configuredProxy;
    private final boolean ignoreActiveRouting;

    RouteVetter(FetchOptions options) {
        this.guard = new SsrfGuard(options.policy());
        GuardPolicy forProxy = options.policy().withHostnameAllowlist(List.of());
        if (options.proxy() != null && options.proxy().allowPrivateProxy()) {
            forProxy = forProxy.withUnsafeAllowPrivateNetwork(true);
        }
        this.proxyGuard = new SsrfGuard(forProxy);
        this.resolver = options.resolver();
        this.configuredProxy = options.proxy();
        this.ignoreActiveRouting = options.ignoreActiveRouting();
    }

    /**
     * The route of a hop to {@code target}.
     *
     * @throws InvalidFetchUrlException credentials in the URL (after the host rules: a blocked
     *                                  host reports as blocked, OpenClaw's order; no DNS either way)
     * @throws FetchProxyException      a plain http target for the explicit proxy
     * @throws FetchBlockedException    the guard refused the host, an answer, or the explicit proxy
     * @throws FetchResolveException    a name had no answer
     */
    HopRoute vet(HopTarget target, int requests) {
        if (target.hasUserInfo()) {
            checkHostRules(target, requests);
            throw new InvalidFetchUrlException("URL must not include credentials: " + target.origin(), requests);
        }
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

    /**
     * The proxy for this hop: the one configured, else the JVM's active routing (the agent or
     * {@link ProxyRouting}), so that a guarded fetch never goes around the operator's proxy;
     * {@link GuardedFetch.Builder#noProxy()} opts out explicitly.
     */
    private UpstreamProxy effectiveProxy() {
        if (configuredProxy != null || ignoreActiveRouting) {
            return configuredProxy;
        }
        return ProxyRouting.active().filter(RoutingSettings::enabled).map(s -> UpstreamProxy.routing(s.proxy())).orElse(null);
    }

    private void checkHostRules(HopTarget target, int requests) {
        try {
            guard.checkHost(target.host());
        } catch (SsrfBlockedException e) {
            throw FetchFailures.blocked(e, target.host(), requests);
        }
    }

    private PinnedHostname pin(SsrfGuard with, String host, int requests) {
        try {
            return with.pin(host, resolver);
        } catch (SsrfBlockedException e) {
            throw FetchFailures.blocked(e, host, requests);
        } catch (UnknownHostException e) {
            throw FetchFailures.unresolved(e, host, requests);
        }
    }

    /** The operator's proxy is trusted: its literal is used as is, its name resolved but not classified. */
    private List<InetAddress> routingProxyAddresses(UpstreamProxy proxy, int requests) {
        Optional<IpAddress> literal = IpLiterals.tryParse(proxy.host());
        if (literal.isPresent()) {
            return List.of(literal.get().toInetAddress());
        }
        try {
            List<IpAddress> answers = resolver.resolve(proxy.host());
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
}
