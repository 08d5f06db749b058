package dev.egressguard.config;

import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.policy.DestinationPattern;
import dev.egressguard.core.policy.DestinationPolicy;
import dev.egressguard.core.policy.DestinationRules;
import dev.egressguard.core.policy.Identities;
import dev.egressguard.core.tls.InterceptEntry;
import dev.egressguard.core.tls.TlsRules;
import dev.egressguard.core.tls.TunnelPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The errors across TLS entries, each of which would leave the operator believing something that
 * is not so: a credential on a host that is never intercepted (a passthrough pattern or an earlier
 * intercept entry of the same list names every host it names first), and an intercepted host that
 * no {@code destinations} rule lets through (no CONNECT to it is ever allowed, so its rules and
 * credential never apply).
 */
final class TlsChecks {
    private final NodeReader r;
    private final DestinationPolicy destinations;

    TlsChecks(NodeReader reader, DestinationPolicy destinations) {
        this.r = reader;
        this.destinations = destinations;
    }

    void check(TunnelPolicy tunnels) {
        shadowedCredentials(tunnels.global());
        tunnels.byEntry().values().forEach(this::shadowedCredentials);
        if (destinations.isEmpty()) {
            return; // every destination the denylist allows is allowed
        }
        for (InterceptEntry e : tunnels.global().intercept()) {
            boolean someoneGoes = !destinations.entries().containsKey(Identities.DEFAULT)
                    || destinations.entries().values().stream().anyMatch(rules -> letsThrough(rules, e.host()));
            if (!someoneGoes) {
                unreachable(e, "a host some destinations entry lets through (allow or ask)");
            }
        }
        for (Map.Entry<String, TlsRules> set : tunnels.byEntry().entrySet()) {
            DestinationRules rules = destinations.entries().get(set.getKey());
            for (InterceptEntry e : set.getValue().intercept()) {
                if (rules != null && !letsThrough(rules, e.host())) {
                    unreachable(e, "a host destinations." + set.getKey() + " lets through (allow or ask)");
                }
            }
        }
    }

    private void unreachable(InterceptEntry e, String expected) {
        r.problem(null, e.id() + ".host", e.host().toString(), expected + "; as written no CONNECT to it is ever allowed,"
                + " so its rules" + (e.credential().isPresent() ? " and credential" : "") + " never apply");
    }

    private void shadowedCredentials(TlsRules set) {
        List<InterceptEntry> earlier = new ArrayList<>();
        for (InterceptEntry e : set.intercept()) {
            if (e.credential().isPresent()) {
                Optional<String> by = set.passthrough().stream().filter(p -> e.host().isCoveredBy(p.pattern())).map(p -> p.id() + " passes it through")
                        .findFirst().or(() -> earlier.stream().filter(x -> e.host().isCoveredBy(x.host())).map(x -> x.id() + " intercepts it first")
                                .findFirst());
                by.ifPresent(why -> r.problem(null, e.id() + ".credential", e.host().toString(),
                        "a credential for a host that is intercepted; " + why + ", so this credential is never used"));
            }
            earlier.add(e);
        }
    }

    /** True when {@code rules} let some host {@code host} names through (allow, or ask the approver). */
    static boolean letsThrough(DestinationRules rules, DestinationPattern host) {
        HostPattern h = host.host().orElseThrow();
        int port = host.hasPort() ? host.firstPort() : 443;
        String probe = h.isWildcard() ? "egressguard-probe" + h.toString().substring(1) : h.toString();
        if (!rules.evaluate(probe, port).isDenied()) {
            return true;
        }
        if (!h.isWildcard()) {
            return false;
        }
        List<DestinationPattern> opening = new ArrayList<>(rules.allow());
        opening.addAll(rules.ask());
        return opening.stream().anyMatch(p -> p.host().isPresent() && p.host().get().isCoveredBy(h));
    }
}
