package dev.egressguard.config;

import dev.egressguard.core.classify.BlockedHostnames;
import dev.egressguard.core.classify.DeniedRange;
import dev.egressguard.core.classify.EmbeddingKind;
import dev.egressguard.core.classify.SpecialUseRanges;
import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import dev.egressguard.core.policy.AllowRule;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.core.policy.Policy;
import dev.egressguard.core.policy.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Warnings about a valid policy: exceptions that open more than they seem to, rules that do
 * nothing or are shadowed, and settings that weaken the proxy; {@link DestinationsLint} for who may
 * go where. Never errors: the loader owns those.
 */
public final class PolicyLinter {
    private static final IpRange LOOPBACK_V4 = IpRange.parse("127.0.0.0/8");
    private static final IpRange LOOPBACK_V6 = IpRange.parse("::1/128");

    private PolicyLinter() {}

    public static List<LintWarning> lint(PolicyFile file) {
        List<LintWarning> out = new ArrayList<>();
        Policy p = file.policy();
        if (p.mode() == EnforcementMode.REPORT) {
            out.add(new LintWarning("mode", "report: nothing is blocked; denials are only logged as would_deny"));
        }
        IpRange listenRange = IpRange.ofAddress(IpLiterals.parse(file.listen().host()));
        if (!LOOPBACK_V4.contains(listenRange) && !LOOPBACK_V6.contains(listenRange)) {
            out.add(new LintWarning("listen", file.listen().host() + " is not loopback: the proxy is reachable from the "
                    + "network; keep clients.allow to the runtimes that need it"));
        }
        for (int i = 0; i < file.clientsAllow().size(); i++) {
            IpRange c = file.clientsAllow().get(i);
            if (c.prefixLength() == 0) {
                out.add(new LintWarning("clients.allow[" + i + "]", c + " lets any source use the proxy"));
            }
        }
        for (int i = 0; i < p.deniedRanges().size(); i++) {
            IpRange r = p.deniedRanges().get(i).range();
            String path = "deny.ranges[" + i + "]";
            builtInDenying(r).ifPresent(e -> out.add(new LintWarning(path, r + " is already denied by the built-in " + e.rule())));
        }
        for (int i = 0; i < p.deniedHostnames().size(); i++) {
            HostPattern h = p.deniedHostnames().get(i);
            for (HostPattern builtIn : BlockedHostnames.DEFAULTS) {
                if (h.isCoveredBy(builtIn)) {
                    out.add(new LintWarning("deny.hostnames[" + i + "]", h + " is already blocked by the built-in name rule " + builtIn));
                    break;
                }
            }
        }
        List<AllowRule> rules = p.allowRules();
        for (int i = 0; i < rules.size(); i++) {
            lintRule(p, rules.get(i), "allow[" + i + "]", out);
            for (int j = 0; j < i; j++) {
                if (shadows(rules.get(j), rules.get(i))) {
                    out.add(new LintWarning("allow[" + i + "]", "shadowed by allow[" + j + "]: every destination it opens, "
                            + "allow[" + j + "] already opens"));
                    break;
                }
            }
        }
        DestinationsLint.lint(file, out);
        TlsLint.lint(file, out);
        return out;
    }

    private static void lintRule(Policy p, AllowRule r, String path, List<LintWarning> out) {
        if (r.host().isPresent()) {
            HostPattern h = r.host().get();
            out.add(new LintWarning(path, "host rule " + h + " opens private" + (h.matches("localhost") || isLoopbackPattern(h)
                    ? " and loopback" : "") + " space to whatever DNS answers for " + (h.isWildcard() ? "any name under " + h.toString().substring(2) : h)
                    + "; the spec: avoid hostname allowlists unless you fully trust the DNS resolution path. "
                    + "A cidr rule for the address you mean is safer"));
        } else {
            IpRange c = r.cidr().orElseThrow();
            List<String> opened = new ArrayList<>();
            boolean deniedAnywhere = false;
            for (SpecialUseRanges.Entry e : SpecialUseRanges.all()) {
                if (e.reason().isEmpty() || !e.range().overlaps(c)) {
                    continue;
                }
                deniedAnywhere = true;
                if (e.reason().get() == Reason.IP_METADATA) {
                    if (c.isSingleAddress()) {
                        out.add(new LintWarning(path, "opens the cloud metadata service " + e.range().first()
                                + ": instance credentials live there"));
                    } else {
                        out.add(new LintWarning(path, c + " covers the metadata address " + e.range().first()
                                + " but does not open it; only a rule naming exactly " + e.range() + " can"));
                    }
                } else if (!opened.contains(e.reason().get().code())) {
                    opened.add(e.reason().get().code());
                }
            }
            if (!c.isIpv4()) { // in the uniform view every IPv4 block sits inside ::ffff:0:0/96
                for (EmbeddingKind k : EmbeddingKind.values()) {
                    deniedAnywhere |= k.prefix().map(pr -> pr.overlaps(c)).orElse(false);
                }
            }
            for (DeniedRange d : p.deniedRanges()) {
                deniedAnywhere |= d.range().overlaps(c);
            }
            if (!deniedAnywhere) {
                out.add(new LintWarning(path, c + " is not denied by anything: the rule has no effect"));
            }
            int broadAt = c.isIpv4() ? 24 : 64;
            if (c.prefixLength() < broadAt) {
                out.add(new LintWarning(path, c + " is broad (wider than /" + broadAt + "); it opens "
                        + (opened.isEmpty() ? "a large block" : String.join(", ", opened)) + " space. Name the hosts you mean"));
            }
        }
        if (r.ports().isAny()) {
            out.add(new LintWarning(path, "opens every port; list the ports the service uses"));
        } else if (!p.ports().containsAll(r.ports())) {
            out.add(new LintWarning(path, "ports [" + r.ports() + "] reach outside the policy's ports [" + p.ports()
                    + "]; those are denied before any allow rule applies"));
        }
    }

    private static boolean isLoopbackPattern(HostPattern h) {
        return h.toString().endsWith(".localhost");
    }

    private static boolean shadows(AllowRule earlier, AllowRule later) {
        if (!earlier.ports().containsAll(later.ports())) {
            return false;
        }
        if (earlier.cidr().isPresent() && later.cidr().isPresent()) {
            return earlier.cidr().get().contains(later.cidr().get());
        }
        if (earlier.host().isPresent() && later.host().isPresent()) {
            return later.host().get().isCoveredBy(earlier.host().get());
        }
        return false;
    }

    private static Optional<SpecialUseRanges.Entry> builtInDenying(IpRange r) {
        for (SpecialUseRanges.Entry e : SpecialUseRanges.all()) {
            if (e.range().contains(r)) {
                return e.reason().isPresent() ? Optional.of(e) : Optional.empty();
            }
        }
        return Optional.empty();
    }
}
