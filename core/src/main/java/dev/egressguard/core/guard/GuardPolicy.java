package dev.egressguard.core.guard;

import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.Hostnames;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Options of the application-level SSRF guard, named after OpenClaw's {@code SsrFPolicy} so that
 * its parity vectors read directly.
 *
 * @param unsafeAllowPrivateNetwork  skip every address and blocked-name check (dangerous: OpenClaw's
 *                                   {@code allowPrivateNetwork}, also spelt
 *                                   {@code dangerouslyAllowPrivateNetwork}); a guarded fetch logs
 *                                   its use once
 * @param allowedHostnames           exact names that may resolve to private space (never to
 *                                   loopback unless a loopback name, never to link-local,
 *                                   metadata or unspecified addresses)
 * @param hostnameAllowlist          when non-empty, only names matching one of these patterns pass
 * @param blockedHostnames           patterns always refused
 * @param allowRfc2544BenchmarkRange lets 198.18.0.0/15 through
 * @param allowIpv6UniqueLocalRange  lets fc00::/7 through (metadata addresses stay blocked)
 */
public record GuardPolicy(boolean unsafeAllowPrivateNetwork, Set<String> allowedHostnames, List<String> hostnameAllowlist,
                          List<String> blockedHostnames, boolean allowRfc2544BenchmarkRange,
                          boolean allowIpv6UniqueLocalRange) {
    private static final GuardPolicy DEFAULT = new GuardPolicy(false, Set.of(), List.of(), List.of(), false, false);

    public GuardPolicy {
        allowedHostnames = allowedHostnames.stream().map(Hostnames::normalize).collect(Collectors.toUnmodifiableSet());
        hostnameAllowlist = List.copyOf(hostnameAllowlist);
        blockedHostnames = List.copyOf(blockedHostnames);
    }

    /** Everything blocked that the classifier blocks; no allowlists. */
    public static GuardPolicy defaults() {
        return DEFAULT;
    }

    public GuardPolicy withUnsafeAllowPrivateNetwork(boolean allow) {
        return new GuardPolicy(allow, allowedHostnames, hostnameAllowlist, blockedHostnames, allowRfc2544BenchmarkRange, allowIpv6UniqueLocalRange);
    }

    public GuardPolicy withAllowedHostnames(Set<String> names) {
        return new GuardPolicy(unsafeAllowPrivateNetwork, names, hostnameAllowlist, blockedHostnames, allowRfc2544BenchmarkRange, allowIpv6UniqueLocalRange);
    }

    public GuardPolicy withHostnameAllowlist(List<String> patterns) {
        return new GuardPolicy(unsafeAllowPrivateNetwork, allowedHostnames, patterns, blockedHostnames, allowRfc2544BenchmarkRange, allowIpv6UniqueLocalRange);
    }

    public GuardPolicy withBlockedHostnames(List<String> patterns) {
        return new GuardPolicy(unsafeAllowPrivateNetwork, allowedHostnames, hostnameAllowlist, patterns, allowRfc2544BenchmarkRange, allowIpv6UniqueLocalRange);
    }

    public GuardPolicy withAllowRfc2544BenchmarkRange(boolean allow) {
        return new GuardPolicy(unsafeAllowPrivateNetwork, allowedHostnames, hostnameAllowlist, blockedHostnames, allow, allowIpv6UniqueLocalRange);
    }

    public GuardPolicy withAllowIpv6UniqueLocalRange(boolean allow) {
        return new GuardPolicy(unsafeAllowPrivateNetwork, allowedHostnames, hostnameAllowlist, blockedHostnames, allowRfc2544BenchmarkRange, allow);
    }

    /** True when a {@code hostnameAllowlist} is set and no pattern in it matches. */
    boolean failsAllowlist(String normalizedHost) {
        return !hostnameAllowlist.isEmpty() && !matchesAny(hostnameAllowlist, normalizedHost);
    }

    boolean isInBlocklist(String normalizedHost) {
        return matchesAny(blockedHostnames, normalizedHost);
    }

    /** Patterns that cannot match anything (such as {@code "*."}) match nothing. */
    static boolean matchesAny(List<String> patterns, String normalizedHost) {
        for (String p : patterns) {
            Optional<HostPattern> pattern = HostPattern.tryParse(p);
            if (pattern.isPresent() && pattern.get().matches(normalizedHost)) {
                return true;
            }
        }
        return false;
    }

    boolean isAllowedHostname(String normalizedHost) {
        return allowedHostnames.contains(Objects.requireNonNull(normalizedHost));
    }
}
