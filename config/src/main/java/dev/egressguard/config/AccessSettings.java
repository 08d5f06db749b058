package dev.egressguard.config;

import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import java.util.List;
import java.util.Optional;

/**
 * Who may use the proxy: source CIDRs ({@code clients.allow}), load balancers whose PROXY protocol
 * header is believed ({@code clients.proxyProtocol.trusted}; empty: PROXY protocol is off), and
 * Basic users ({@code auth.users}; empty: no authentication).
 */
public record AccessSettings(List<IpRange> clientsAllow, List<IpRange> proxyProtocolTrusted, List<ProxyUser> users) {
    public AccessSettings {
        clientsAllow = List.copyOf(clientsAllow);
        proxyProtocolTrusted = List.copyOf(proxyProtocolTrusted);
        users = List.copyOf(users);
    }

    public boolean requiresAuth() {
        return !users.isEmpty();
    }

    /**
     * Why listening on {@code listen} would expose an open proxy, if it would: a non-loopback listen
     * address needs {@code clients.allow} to name non-loopback sources, or {@code auth.users}.
     */
    public Optional<String> exposureProblem(HostPort listen) {
        IpAddress bind = IpLiterals.parse(listen.host());
        if (isLoopback(bind) || requiresAuth()) {
            return Optional.empty();
        }
        boolean namesRemoteClients = clientsAllow.stream().anyMatch(r -> !isLoopbackRange(r));
        if (namesRemoteClients) {
            return Optional.empty();
        }
        return Optional.of("listening on " + listen + " (not loopback) would let any host reach an open proxy, but clients.allow admits"
                + " only loopback and auth.users is empty; set clients.allow to the sources that may use the proxy"
                + " (e.g. [10.20.0.0/16]) or configure auth.users, or listen on 127.0.0.1");
    }

    private static boolean isLoopback(IpAddress a) {
        return a.unmapIpv4().orElse(a).isLoopback();
    }

    private static boolean isLoopbackRange(IpRange r) {
        return isLoopback(r.first()) && isLoopback(r.last());
    }
}
