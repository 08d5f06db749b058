package dev.egressguard.core.policy;

import dev.egressguard.core.classify.AddressClassifier;
import dev.egressguard.core.classify.BlockedHostnames;
import dev.egressguard.core.classify.Classification;
import dev.egressguard.core.classify.DeniedRange;
import dev.egressguard.core.classify.EmbeddedIpv4Mode;
import dev.egressguard.core.net.HostPattern;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.core.net.IpRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The destination policy: pure, immutable, thread-safe. No I/O, no clock, no logging.
 *
 * <p>The way through, in order; each step can only deny, except the explicit allow rules:
 * <ol>
 *   <li>{@link #checkHost}: the host must read as a hostname or IP literal ({@code host.invalid});
 *       non-canonical IPv4 spellings are denied ({@code host.legacy_ipv4_literal}); the port must
 *       be in {@code ports}; literal IPs are decided at once; operator-denied names, then the
 *       built-in blocked names (unless a host allow rule names the host) are denied.
 *   <li>{@link #decide}: every resolved address is classified; the destination is denied if any
 *       address is denied and not opened by an allow rule — a mixed public/private answer is an
 *       attack signal, not a choice.
 * </ol>
 */
public final class Policy {
    private static final Policy DEFAULT = builder().build();
    static final String RULE_LEGACY_IPV4 = "default:non-canonical-ipv4";
    static final String RULE_PORTS = "ports";

    private final AddressClassifier classifier;
    private final List<DeniedRange> deniedRanges;
    private final List<HostPattern> deniedHostnames;
    private final List<AllowRule> allowRules;
    private final PortSet ports;
    private final EnforcementMode mode;

    private Policy(Builder b) {
        this.deniedRanges = List.copyOf(b.deniedRanges);
        this.classifier = AddressClassifier.of(b.embeddedIpv4, deniedRanges);
        this.deniedHostnames = List.copyOf(b.deniedHostnames);
        List<AllowRule> rules = new ArrayList<>();
        for (int i = 0; i < b.allowRules.size(); i++) {
            rules.add(b.allowRules.get(i).withIndex(i));
        }
        this.allowRules = List.copyOf(rules);
        this.ports = b.ports;
        this.mode = b.mode;
    }

    /** The embedded default: the built-in denied space, no exceptions, every port, enforced. */
    public static Policy defaults() {
        return DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this policy's rules, to derive a variant (rule ids stay as they are). */
    public Builder toBuilder() {
        Builder b = builder().embeddedIpv4(embeddedIpv4()).ports(ports).mode(mode);
        deniedRanges.forEach(d -> b.denyRange(d.range()));
        deniedHostnames.forEach(b::denyHostname);
        allowRules.forEach(b::allow);
        return b;
    }

    /**
     * Host rules before DNS. {@code port} may be {@link HostPort#NO_PORT} when unknown. In report
     * mode a denial that traffic could still pass (a literal's address class, a port, a blocked
     * name) is {@link Verdict#WOULD_DENY} — or, for a name, carried until its answers are known;
     * an unreadable host or a non-canonical IPv4 spelling stays denied.
     */
    public HostCheck checkHost(String host, int port) {
        Optional<String> canonical = Hostnames.canonicalize(host);
        if (canonical.isEmpty()) {
            return new HostCheck.Decided(null, Decision.deny(Reason.HOST_INVALID));
        }
        String name = canonical.get();
        if (IpLiterals.looksLikeIpv4Literal(name) && !IpLiterals.isCanonicalIpv4(name)) {
            return new HostCheck.Decided(new Destination(name, null, port, null),
                    Decision.deny(Reason.HOST_LEGACY_IPV4_LITERAL, RULE_LEGACY_IPV4));
        }
        Optional<IpAddress> literal = IpLiterals.tryParse(name);
        if (literal.isPresent()) {
            Destination d = new Destination(name, literal.get(), port, null);
            return new HostCheck.Decided(d, reportable(literalDecision(d, literal.get())));
        }
        Destination plain = new Destination(name, null, port, null);
        if (port != HostPort.NO_PORT && !ports.contains(port)) {
            return hostDenied(plain, Decision.deny(Reason.PORT_NOT_ALLOWED, RULE_PORTS));
        }
        for (int i = 0; i < deniedHostnames.size(); i++) {
            if (deniedHostnames.get(i).matches(name)) {
                return hostDenied(plain, Decision.deny(Reason.HOST_BLOCKED_NAME, "deny.hostnames[" + i + "]:" + deniedHostnames.get(i)));
            }
        }
        AllowRule hostRule = null;
        for (AllowRule r : allowRules) {
            if (r.namesHost(name, port)) {
                hostRule = r;
                break;
            }
        }
        Destination d = new Destination(name, null, port, hostRule);
        if (hostRule == null) {
            Optional<HostPattern> blocked = BlockedHostnames.match(name);
            if (blocked.isPresent()) {
                return hostDenied(d, Decision.deny(Reason.HOST_BLOCKED_NAME, "default:" + blocked.get()));
            }
        }
        return new HostCheck.Pending(d, null);
    }

    /**
     * The layers before DNS for one identity: the host rules and the built-in denylist (a host they
     * refuse stays refused, for that reason), then {@code identity}'s destination rules — a deny
     * pattern or a default of deny refuses the host ({@code dest.*}, with the identity's message),
     * an ask waits for the approver ({@link HostCheck.Ask}). In report mode a destination denial is
     * {@code would_deny} and nothing is asked ({@code approval.required}). No destination rule opens
     * what the denylist refuses, before DNS or after.
     */
    public HostCheck checkHost(String host, int port, DestinationPolicy destinations, String identity) {
        HostCheck check = checkHost(host, port);
        if (destinations.isEmpty() || check.target() == null) {
            return check;
        }
        if (check instanceof HostCheck.Decided && !((HostCheck.Decided) check).decision().isAllowed()) {
            return check;
        }
        if (check instanceof HostCheck.Pending && ((HostCheck.Pending) check).reported() != null) {
            return check;
        }
        DestinationDecision d = destinations.decide(identity, check.target());
        switch (d.action()) {
            case ALLOW:
                return check;
            case ASK:
                if (mode != EnforcementMode.REPORT) {
                    return new HostCheck.Ask(check.target(), d, check);
                }
                return destinationDenied(check, Decision.deny(Reason.APPROVAL_REQUIRED, d.rule().orElse(null)), d);
            default:
                return destinationDenied(check, d.denial().orElseThrow(), d);
        }
    }

    /** A host the identity's destinations refuse: final when enforced; in report mode, reported and let through. */
    private HostCheck destinationDenied(HostCheck check, Decision denial, DestinationDecision by) {
        Decision d = by.message().map(denial::withMessage).orElse(denial);
        if (mode != EnforcementMode.REPORT) {
            return new HostCheck.Decided(check.target(), d);
        }
        return check instanceof HostCheck.Pending ? new HostCheck.Pending(check.target(), d.reportedOnly())
                : new HostCheck.Decided(check.target(), d.reportedOnly());
    }

    /** The decision for a pending name once its answers are known; report mode applied. */
    public Decision decide(HostCheck.Pending pending, List<IpAddress> addresses) {
        if (addresses.isEmpty()) {
            return Decision.deny(Reason.DNS_NO_ANSWER); // nothing to connect to, whatever the mode
        }
        if (pending.reported() != null) {
            return pending.reported();
        }
        return reportable(decide(pending.target(), addresses));
    }

    private Decision literalDecision(Destination d, IpAddress literal) {
        if (d.port() != HostPort.NO_PORT && !ports.contains(d.port())) {
            return Decision.deny(Reason.PORT_NOT_ALLOWED, RULE_PORTS);
        }
        Decision decision = decideAddress(d, literal);
        if (decision.isAllowed() && literal.zone().isPresent()) {
            decision = Decision.deny(Reason.HOST_INVALID, "zone-id").withAddress(literal);
        }
        return decision;
    }

    /** A host-level denial of a name: final when enforced; in report mode, reported once the answers are in. */
    private HostCheck hostDenied(Destination d, Decision denial) {
        return mode == EnforcementMode.REPORT ? new HostCheck.Pending(d, denial.reportedOnly()) : new HostCheck.Decided(d, denial);
    }

    private Decision reportable(Decision d) {
        return d.isDenied() && mode == EnforcementMode.REPORT ? d.reportedOnly() : d;
    }

    /**
     * Decides a destination for its full answer set. Denied when the set is empty, or when any
     * address is denied and no allow rule opens it; allowed otherwise.
     */
    public Decision decide(Destination destination, List<IpAddress> addresses) {
        Objects.requireNonNull(destination, "destination");
        if (addresses.isEmpty()) {
            return Decision.deny(Reason.DNS_NO_ANSWER);
        }
        Decision opened = null;
        for (IpAddress a : addresses) {
            Decision d = decideAddress(destination, a);
            if (d.isDenied()) {
                return d;
            }
            if (opened == null && d.reason() == Reason.ALLOW_RULE) {
                opened = d;
            }
        }
        return opened != null ? opened : Decision.allow(Reason.IP_PUBLIC, null);
    }

    /** Decides one address of a destination. */
    public Decision decideAddress(Destination destination, IpAddress address) {
        Classification c = classifier.classify(address);
        if (!c.isDenied()) {
            return Decision.allow(Reason.IP_PUBLIC, null).withAddress(address);
        }
        for (AllowRule r : allowRules) {
            if (r.opensAddress(address, c, destination.port())) {
                return Decision.allow(Reason.ALLOW_RULE, r.id()).withAddress(address);
            }
        }
        Optional<AllowRule> hostRule = destination.hostRule();
        if (hostRule.isPresent() && AllowRule.opensByName(destination.host(), c)) {
            return Decision.allow(Reason.ALLOW_RULE, hostRule.get().id()).withAddress(address);
        }
        return Decision.deny(c.reason(), c.rule().orElse(null)).withAddress(address);
    }

    /** Host rules and address rules together, for an already-resolved answer set (report mode applied). */
    public Decision decide(String host, int port, List<IpAddress> addresses) {
        HostCheck check = checkHost(host, port);
        if (check instanceof HostCheck.Decided) {
            return ((HostCheck.Decided) check).decision();
        }
        return decide((HostCheck.Pending) check, addresses);
    }

    public AddressClassifier classifier() {
        return classifier;
    }

    public EmbeddedIpv4Mode embeddedIpv4() {
        return classifier.mode();
    }

    public List<DeniedRange> deniedRanges() {
        return deniedRanges;
    }

    public List<HostPattern> deniedHostnames() {
        return deniedHostnames;
    }

    public List<AllowRule> allowRules() {
        return allowRules;
    }

    public PortSet ports() {
        return ports;
    }

    public EnforcementMode mode() {
        return mode;
    }

    /** Builds a policy; rule ids follow the order rules are added. */
    public static final class Builder {
        private EmbeddedIpv4Mode embeddedIpv4 = EmbeddedIpv4Mode.BLOCK_PREFIX;
        private final List<DeniedRange> deniedRanges = new ArrayList<>();
        private final List<HostPattern> deniedHostnames = new ArrayList<>();
        private final List<AllowRule> allowRules = new ArrayList<>();
        private PortSet ports = PortSet.ANY;
        private EnforcementMode mode = EnforcementMode.ENFORCE;

        private Builder() {}

        public Builder embeddedIpv4(EmbeddedIpv4Mode mode) {
            this.embeddedIpv4 = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder denyRange(IpRange range) {
            deniedRanges.add(new DeniedRange(range, "deny.ranges[" + deniedRanges.size() + "]:" + range));
            return this;
        }

        public Builder denyHostname(HostPattern pattern) {
            deniedHostnames.add(Objects.requireNonNull(pattern, "pattern"));
            return this;
        }

        public Builder allow(AllowRule rule) {
            allowRules.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        public Builder ports(PortSet ports) {
            this.ports = Objects.requireNonNull(ports, "ports");
            return this;
        }

        public Builder mode(EnforcementMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Policy build() {
            return new Policy(this);
        }
    }
}
