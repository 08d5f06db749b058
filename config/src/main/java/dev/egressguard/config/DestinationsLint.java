package dev.egressguard.config;

import dev.egressguard.core.classify.BlockedHostnames;
import dev.egressguard.core.classify.DeniedRange;
import dev.egressguard.core.classify.SpecialUseRanges;
import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.DestinationAction;
import dev.egressguard.core.policy.DestinationPattern;
import dev.egressguard.core.policy.DestinationPolicy;
import dev.egressguard.core.policy.DestinationRules;
import dev.egressguard.core.policy.Identities;
import dev.egressguard.core.policy.Identity;
import dev.egressguard.core.policy.Policy;
import java.util.List;
import java.util.Optional;

/**
 * Warnings about {@code identities}, {@code destinations} and {@code approvals}: patterns that can
 * never take effect (shadowed, or naming denied space), patterns that name far more than they seem
 * to, identities without rules, and an approver nothing asks. An {@code ask} without an approver is
 * an error, reported by the loader.
 */
final class DestinationsLint {
    /** An IPv4 pattern wider than this, or an IPv6 one wider than {@link #BROAD_V6}, is broad. */
    static final int BROAD_V4 = 16;
    static final int BROAD_V6 = 32;

    private DestinationsLint() {}

    static void lint(PolicyFile file, List<LintWarning> out) {
        DestinationPolicy d = file.destinations();
        boolean hasDefault = d.entries().containsKey(Identities.DEFAULT);
        List<Identity> identities = d.identities().all();
        for (int i = 0; i < identities.size(); i++) {
            String name = identities.get(i).name();
            if (!d.entries().containsKey(name)) {
                out.add(new LintWarning("identities[" + i + "]", name + " has no destinations entry; "
                        + (hasDefault ? "it gets destinations.default" : "with no default entry either, it reaches every destination the denylist allows")));
            }
        }
        if (!d.isEmpty() && !hasDefault) {
            out.add(new LintWarning("destinations", "no default entry: connections no identity matches reach every destination the denylist allows"));
        }
        for (DestinationRules r : d.entries().values()) {
            String path = "destinations." + r.identity();
            patterns(file.policy(), r.allow(), path + ".allow", r.deny(), List.of(), out);
            patterns(file.policy(), r.ask(), path + ".ask", r.deny(), r.allow(), out);
            if (r.defaultAction() == DestinationAction.ALLOW && r.ask().isEmpty() && !r.allow().isEmpty()) {
                out.add(new LintWarning(path + ".allow", "the default is allow and nothing asks: the allow patterns change nothing"));
            }
        }
        if (file.approvals().isPresent() && !d.asks()) {
            out.add(new LintWarning("approvals", "nothing asks (no ask pattern or default): the approver is never called"));
        }
    }

    private static void patterns(Policy policy, List<DestinationPattern> patterns, String path, List<DestinationPattern> deny,
            List<DestinationPattern> allow, List<LintWarning> out) {
        for (int j = 0; j < patterns.size(); j++) {
            DestinationPattern p = patterns.get(j);
            String at = path + "[" + j + "]";
            broad(p).ifPresent(why -> out.add(new LintWarning(at, why)));
            Optional<String> shadow = coveredBy(p, deny, "deny").or(() -> coveredBy(p, allow, "allow"));
            shadow.ifPresent(by -> out.add(new LintWarning(at, "shadowed by " + by + ": every destination it names is decided there first")));
            deniedSpace(policy, p).ifPresent(why -> out.add(new LintWarning(at, p + " " + why
                    + "; a destination rule never opens what the denylist denies (an allow rule with a cidr does)")));
        }
    }

    private static Optional<String> coveredBy(DestinationPattern p, List<DestinationPattern> earlier, String key) {
        for (int k = 0; k < earlier.size(); k++) {
            if (p.isCoveredBy(earlier.get(k))) {
                return Optional.of(key + "[" + k + "] (" + earlier.get(k) + ")");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> broad(DestinationPattern p) {
        if (p.isAny()) {
            return Optional.of(p + " names every destination; write the entry's default instead, or name the hosts you mean");
        }
        if (p.host().isPresent() && p.host().get().isWildcard() && p.host().get().toString().indexOf('.', 2) < 0) {
            return Optional.of(p + " names every host under a whole top-level domain");
        }
        if (p.range().isPresent()) {
            IpRange r = p.range().get();
            int broadAt = r.isIpv4() ? BROAD_V4 : BROAD_V6;
            if (r.prefixLength() < broadAt) {
                return Optional.of(p + " is broad (wider than /" + broadAt + ")");
            }
        }
        return Optional.empty();
    }

    /** Why every destination {@code p} names is denied anyway, if it is (an allow rule that opens some of it means it is not). */
    private static Optional<String> deniedSpace(Policy policy, DestinationPattern p) {
        if (p.range().isPresent()) {
            IpRange r = p.range().get();
            if (policy.allowRules().stream().anyMatch(a -> a.cidr().isPresent() && a.cidr().get().overlaps(r))) {
                return Optional.empty(); // an explicit exception opens (part of) it: the pattern can take effect there
            }
            for (SpecialUseRanges.Entry e : SpecialUseRanges.all()) {
                if (e.range().contains(r)) {
                    return e.reason().map(reason -> "is in denied space (" + reason.code() + ", " + e.range() + ")");
                }
            }
            for (DeniedRange d : policy.deniedRanges()) {
                if (d.range().contains(r)) {
                    return Optional.of("is in deny.ranges (" + d.range() + ")");
                }
            }
        }
        if (p.host().isPresent()) {
            HostPattern h = p.host().get();
            if (policy.allowRules().stream().anyMatch(a -> a.host().isPresent() && (h.isCoveredBy(a.host().get()) || a.host().get().isCoveredBy(h)))) {
                return Optional.empty();
            }
            for (HostPattern blocked : BlockedHostnames.DEFAULTS) {
                if (h.isCoveredBy(blocked)) {
                    return Optional.of("is blocked by the built-in name rule " + blocked);
                }
            }
            for (HostPattern blocked : policy.deniedHostnames()) {
                if (h.isCoveredBy(blocked)) {
                    return Optional.of("is blocked by deny.hostnames (" + blocked + ")");
                }
            }
        }
        return Optional.empty();
    }
}
