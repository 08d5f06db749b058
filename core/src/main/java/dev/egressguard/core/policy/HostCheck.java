package dev.egressguard.core.policy;

import java.util.Optional;

/**
 * The outcome of the host rules, before any DNS: either {@link Decided} — final, for an IP literal
 * or a host the rules refuse — or {@link Pending}: a name whose resolved answers decide, through
 * {@link Policy#decide(Pending, java.util.List)}. Report mode is already applied: a decision may be
 * {@link Verdict#WOULD_DENY}, and a pending name may carry the host-level denial it will report.
 */
public sealed interface HostCheck permits HostCheck.Decided, HostCheck.Pending, HostCheck.Ask {
    /** The destination as the host rules read it; null only when the host could not be read at all. */
    Destination target();

    /** {@link #target()}, absent when the host could not be read at all. */
    default Optional<Destination> destination() {
        return Optional.ofNullable(target());
    }

    /** The decision, or for a pending name what is known before its answers ({@link Pending#provisional}). */
    default Decision decisionSoFar() {
        if (this instanceof Decided) {
            return ((Decided) this).decision();
        }
        return this instanceof Pending ? ((Pending) this).provisional() : ((Ask) this).then().decisionSoFar();
    }

    /**
     * A final decision without DNS.
     *
     * @param target null when the host could not be read
     */
    record Decided(Destination target, Decision decision) implements HostCheck {}

    /**
     * A name that passed the host rules (or that report mode lets through): its answers decide.
     *
     * @param reported in report mode, the host-level denial to record as {@code would_deny} once the
     *                 answers are known; null otherwise
     */
    record Pending(Destination target, Decision reported) implements HostCheck {
        /** What to show before resolving ({@code check --no-resolve}): allowed so far (or reported), the answers decide. */
        public Decision provisional() {
            return reported != null ? reported
                    : Decision.allow(Reason.HOST_NOT_RESOLVED, target.hostRule().map(AllowRule::id).orElse(null));
        }
    }

    /**
     * The host passed the host rules, and the identity's destinations ask the operator's approver
     * about it: on an allow, {@link #then} goes on (a literal's decision, or a name to resolve); on
     * anything else the approver's denial stands.
     *
     * @param asking the identity's decision that asked (its rule and message)
     */
    record Ask(Destination target, DestinationDecision asking, HostCheck then) implements HostCheck {}
}
