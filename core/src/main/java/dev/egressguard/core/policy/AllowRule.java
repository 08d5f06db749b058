package dev.egressguard.core.policy;

import dev.egressguard.core.classify.Classification;
import dev.egressguard.core.classify.SpecialUseRanges;
import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpRange;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An explicit exception to the denied space: a CIDR block or a hostname pattern, limited to ports,
 * with the operator's stated reason.
 *
 * <ul>
 *   <li>A <b>cidr</b> rule opens the addresses in its block. A metadata address opens only for a
 *       rule naming exactly that address (a /32 or /128).
 *   <li>A <b>host</b> rule lets the named hosts through the blocked-name list and opens what they
 *       resolve to in private, shared, unique-local, benchmarking and documentation space, and
 *       loopback only for loopback names ({@code localhost}, {@code *.localhost}). It never opens
 *       metadata, link-local, unspecified, multicast, reserved, embedded-IPv4 or operator-denied
 *       addresses: DNS answers are not trusted that far.
 * </ul>
 */
public final class AllowRule {
    private static final Set<Reason> OPENABLE_BY_NAME = EnumSet.of(Reason.IP_PRIVATE, Reason.IP_CGNAT,
            Reason.IP_UNIQUE_LOCAL, Reason.IP_BENCHMARK, Reason.IP_DOCUMENTATION, Reason.IP_LOOPBACK);

    private final String id;
    private final IpRange cidr;
    private final HostPattern host;
    private final PortSet ports;
    private final String reason;

    private AllowRule(String id, IpRange cidr, HostPattern host, PortSet ports, String reason) {
        this.id = id;
        this.cidr = cidr;
        this.host = host;
        this.ports = Objects.requireNonNull(ports, "ports");
        this.reason = reason == null ? "" : reason;
    }

    public static AllowRule cidr(IpRange cidr, PortSet ports, String reason) {
        return new AllowRule(null, Objects.requireNonNull(cidr, "cidr"), null, ports, reason);
    }

    public static AllowRule host(HostPattern host, PortSet ports, String reason) {
        return new AllowRule(null, null, Objects.requireNonNull(host, "host"), ports, reason);
    }

    /** This rule with its position in the policy, {@code allow[3]}. */
    AllowRule withIndex(int index) {
        return new AllowRule("allow[" + index + "]:" + (cidr != null ? cidr : host), cidr, host, ports, reason);
    }

    /** True when the rule lets {@code address} of class {@code c} through on {@code port}. */
    boolean opensAddress(IpAddress address, Classification c, int port) {
        if (cidr == null || !portMatches(port) || !cidr.contains(address)) {
            return false;
        }
        // A metadata address, in any spelling that carries it, opens only for a rule naming it exactly.
        return cidr.isSingleAddress() || (c.rangeReason() != Reason.IP_METADATA && !SpecialUseRanges.isMetadata(address));
    }

    /** True when the rule names {@code normalizedHost} for {@code port}. */
    boolean namesHost(String normalizedHost, int port) {
        return host != null && portMatches(port) && host.matches(normalizedHost);
    }

    /** True when an address of class {@code c} may be reached through the host this rule names. */
    static boolean opensByName(String normalizedHost, Classification c) {
        if (c.via().isPresent() || !OPENABLE_BY_NAME.contains(c.reason())) {
            return false;
        }
        return c.reason() != Reason.IP_LOOPBACK || Hostnames.isLoopbackName(normalizedHost);
    }

    private boolean portMatches(int port) {
        return ports.isAny() || (port != HostPort.NO_PORT && ports.contains(port));
    }

    /** The rule id, e.g. {@code allow[0]:127.0.0.1/32}; empty before the rule is placed in a policy. */
    public String id() {
        return id;
    }

    public Optional<IpRange> cidr() {
        return Optional.ofNullable(cidr);
    }

    public Optional<HostPattern> host() {
        return Optional.ofNullable(host);
    }

    public PortSet ports() {
        return ports;
    }

    /** The operator's stated reason for the exception. */
    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return (id != null ? id : (cidr != null ? cidr.toString() : host.toString())) + " ports " + ports
                + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
