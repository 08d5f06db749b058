package dev.egressguard.core.policy;

import dev.egressguard.core.net.IpAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A policy's answer: a {@link Verdict}, a stable {@link Reason}, the rule that decided (e.g.
 * {@code default:127.0.0.0/8}, {@code allow[0]}, {@code deny.hostnames[2]}), and the address that
 * decided, when one did. A denial is this value, never an exception.
 */
public final class Decision {
    private final Verdict verdict;
    private final Reason reason;
    private final String rule;
    private final IpAddress address;
    private final String message;

    private Decision(Verdict verdict, Reason reason, String rule, IpAddress address, String message) {
        this.verdict = Objects.requireNonNull(verdict, "verdict");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.rule = rule;
        this.address = address;
        this.message = message;
    }

    public static Decision allow(Reason reason, String rule) {
        return new Decision(Verdict.ALLOW, reason, rule, null, null);
    }

    public static Decision deny(Reason reason, String rule) {
        return new Decision(Verdict.DENY, reason, rule, null, null);
    }

    public static Decision deny(Reason reason) {
        return deny(reason, null);
    }

    /** This denial as {@code mode: report} records it: {@link Verdict#WOULD_DENY}, and the traffic goes through. */
    public Decision reportedOnly() {
        if (verdict != Verdict.DENY) {
            throw new IllegalStateException("only a denial can be reported: " + this);
        }
        return new Decision(Verdict.WOULD_DENY, reason, rule, address, message);
    }

    public Decision withAddress(IpAddress decidingAddress) {
        return new Decision(verdict, reason, rule, decidingAddress, message);
    }

    /** This decision with what the operator (an identity's {@code message}) or the approver said about it. */
    public Decision withMessage(String text) {
        return new Decision(verdict, reason, rule, address, text);
    }

    /** The operator's or approver's words for this decision, shown to the client (an agent) with a denial. */
    public Optional<String> message() {
        return Optional.ofNullable(message);
    }

    public Verdict verdict() {
        return verdict;
    }

    public Reason reason() {
        return reason;
    }

    public Optional<String> rule() {
        return Optional.ofNullable(rule);
    }

    /** The address that decided (the denied one, or the one an allow rule opened). */
    public Optional<IpAddress> address() {
        return Optional.ofNullable(address);
    }

    public boolean isAllowed() {
        return verdict == Verdict.ALLOW;
    }

    /** Denied and enforced: nothing goes through. */
    public boolean isDenied() {
        return verdict == Verdict.DENY;
    }

    /** The traffic goes through: allowed, or denied in report mode only. */
    public boolean permitsTraffic() {
        return verdict != Verdict.DENY;
    }

    @Override
    public String toString() {
        return verdict.code() + " " + reason.code() + (rule == null ? "" : " (" + rule + ")")
                + (address == null ? "" : " [" + address + "]");
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Decision)) {
            return false;
        }
        Decision d = (Decision) o;
        return verdict == d.verdict && reason == d.reason && Objects.equals(rule, d.rule) && Objects.equals(address, d.address)
                && Objects.equals(message, d.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(verdict, reason, rule, address, message);
    }
}
