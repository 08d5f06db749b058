package dev.egressguard.core.guard;

import dev.egressguard.core.classify.AddressClassifier;
import dev.egressguard.core.classify.BlockedHostnames;
import dev.egressguard.core.classify.Classification;
import dev.egressguard.core.classify.EmbeddedIpv4Mode;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.Resolver;
import dev.egressguard.core.policy.Reason;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The application-level SSRF guard's decisions (the Java counterpart of OpenClaw's
 * {@code ssrf.ts}): the shared classifier in {@link EmbeddedIpv4Mode#DECODE} mode, OpenClaw's
 * options ({@link GuardPolicy}), and DNS pinning. Pure apart from the {@link Resolver} it is given.
 */
public final class SsrfGuard {
    private static final AddressClassifier CLASSIFIER = AddressClassifier.of(EmbeddedIpv4Mode.DECODE, List.of());

    private final GuardPolicy policy;

    public SsrfGuard(GuardPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    public GuardPolicy policy() {
        return policy;
    }

    /** The classifier the guard uses: built-in ranges, embedded IPv4 decoded. */
    public static AddressClassifier classifier() {
        return CLASSIFIER;
    }

    /** True when the address is blocked under this policy's range options. */
    public boolean isBlockedAddress(IpAddress address) {
        return blockReason(address).isPresent();
    }

    private Optional<Reason> blockReason(IpAddress address) {
        Classification c = CLASSIFIER.classify(address);
        if (!c.isDenied()) {
            return Optional.empty();
        }
        if (policy.allowRfc2544BenchmarkRange() && c.rangeReason() == Reason.IP_BENCHMARK
                && c.range().map(r -> r.isIpv4()).orElse(false)) {
            return Optional.empty();
        }
        if (policy.allowIpv6UniqueLocalRange() && c.reason() == Reason.IP_UNIQUE_LOCAL) {
            return Optional.empty();
        }
        return Optional.of(c.reason());
    }

    /**
     * True when a host is refused before any DNS: a blocked name, a non-canonical IPv4 spelling, a
     * malformed IPv6 literal, or an IP literal in blocked space. {@code unsafeAllowPrivateNetwork} does not
     * relax this check (it relaxes {@link #pin}).
     */
    public boolean isBlockedHostOrIp(String host) {
        return hostBlockReason(host).isPresent();
    }

    Optional<Reason> hostBlockReason(String host) {
        String h = Hostnames.normalize(host);
        if (h.isEmpty()) {
            return Optional.empty();
        }
        if (BlockedHostnames.match(h).isPresent()) {
            return Optional.of(Reason.HOST_BLOCKED_NAME);
        }
        Optional<IpAddress> literal = IpLiterals.tryParse(h);
        if (literal.isPresent()) {
            return blockReason(literal.get());
        }
        if (h.indexOf(':') >= 0) {
            return Optional.of(Reason.HOST_INVALID);
        }
        if (IpLiterals.looksLikeIpv4Literal(h)) {
            return Optional.of(Reason.HOST_LEGACY_IPV4_LITERAL);
        }
        return Optional.empty();
    }

    /**
     * The checks {@link #pin} makes before any DNS, on their own: the {@code hostnameAllowlist}, the
     * {@code blockedHostnames}, then (unless {@code unsafeAllowPrivateNetwork} or an allowed name) the
     * blocked names and IP literals. For a request sent through a proxy that resolves names itself,
     * where no local answer exists to check (OpenClaw's {@code assertHostnameAllowedWithPolicy}).
     *
     * @return the normalised hostname
     * @throws SsrfBlockedException     the host is refused (OpenClaw's messages)
     * @throws IllegalArgumentException an empty hostname ({@code Invalid hostname})
     */
    public String checkHost(String hostname) throws SsrfBlockedException {
        String h = Hostnames.normalize(Objects.requireNonNull(hostname, "hostname"));
        if (h.isEmpty()) {
            throw new IllegalArgumentException("Invalid hostname");
        }
        if (policy.failsAllowlist(h)) {
            throw new SsrfBlockedException("Domain policy: Blocked hostname (not in allowlist): " + h
                    + ". Permitted hostname patterns: " + String.join(", ", policy.hostnameAllowlist())
                    + ". Try a URL on a permitted domain.", Reason.HOST_BLOCKED_NAME);
        }
        if (policy.isInBlocklist(h)) {
            throw new SsrfBlockedException("Domain policy: Blocked hostname (configured blocklist): " + h
                    + ". Try a URL on a different domain or ask the operator to review blockedHostnames.",
                    Reason.HOST_BLOCKED_NAME);
        }
        if (!policy.unsafeAllowPrivateNetwork() && !policy.isAllowedHostname(h)) {
            Optional<Reason> blocked = hostBlockReason(h);
            if (blocked.isPresent()) {
                throw new SsrfBlockedException(SsrfBlockedException.BLOCKED_HOST, blocked.get());
            }
        }
        return h;
    }

    /**
     * Resolves {@code hostname} and returns the vetted addresses to connect to (IPv4 first, then
     * IPv6, duplicates dropped). Host rules run before the resolver is called; every answer is
     * checked after.
     *
     * @throws SsrfBlockedException    the host or one of its answers is refused
     * @throws UnknownHostException    no answer ({@code Unable to resolve hostname: NAME})
     * @throws IllegalArgumentException an empty hostname ({@code Invalid hostname})
     */
    public PinnedHostname pin(String hostname, Resolver resolver) throws SsrfBlockedException, UnknownHostException {
        String h = checkHost(hostname);
        boolean nameAllowed = policy.isAllowedHostname(h);
        List<IpAddress> answers;
        try {
            answers = resolver.resolve(h);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("Unable to resolve hostname: " + h);
        }
        if (answers == null || answers.isEmpty()) {
            throw new UnknownHostException("Unable to resolve hostname: " + h);
        }
        if (!policy.unsafeAllowPrivateNetwork()) {
            for (IpAddress a : answers) {
                Optional<Reason> blocked = nameAllowed ? allowedNameBlockReason(h, a) : blockReason(a);
                if (blocked.isPresent()) {
                    throw new SsrfBlockedException(SsrfBlockedException.BLOCKED_RESOLVED, blocked.get());
                }
            }
        }
        Set<IpAddress> unique = new LinkedHashSet<>(answers);
        List<IpAddress> pinned = new ArrayList<>(unique.size());
        unique.stream().filter(IpAddress::isIpv4).forEach(pinned::add);
        unique.stream().filter(IpAddress::isIpv6).forEach(pinned::add);
        return new PinnedHostname(h, pinned);
    }

    /**
     * An explicitly allowed name may reach private space, but never unspecified, link-local or
     * metadata addresses, nor the local-use NAT64 prefix, and loopback only for loopback names.
     */
    private static Optional<Reason> allowedNameBlockReason(String host, IpAddress a) {
        Classification c = CLASSIFIER.classify(a);
        if (!c.isDenied()) {
            return Optional.empty();
        }
        switch (c.rangeReason()) {
            case IP_UNSPECIFIED:
            case IP_LINK_LOCAL:
            case IP_METADATA:
            case IP_EMBEDDED_IPV4:
                return Optional.of(c.reason());
            case IP_LOOPBACK:
                return c.via().isPresent() || !Hostnames.isLoopbackName(host) ? Optional.of(c.reason()) : Optional.empty();
            default:
                return Optional.empty();
        }
    }
}
