package dev.egressguard.core.policy;

import java.util.Objects;
import java.util.Optional;

/**
 * What an identity's destination rules say about a host, before DNS: allow it (the built-in
 * denylist still judges its addresses), deny it ({@code dest.denied} or {@code dest.not_allowed}),
 * or ask the operator's approver. Carries the rule that decided and the identity's message for the
 * agent. A value, never an exception.
 */
public final class DestinationDecision {
    private final String identity;
    private final DestinationAction action;
    private final Reason reason;
    private final String rule;
    private final String message;

    private DestinationDecision(String identity, DestinationAction action, Reason reason, String rule, String message) {
        this.identity = Objects.requireNonNull(identity, "identity");
        this.action = Objects.requireNonNull(action, "action");
        this.reason = reason;
        this.rule = rule;
        this.message = message;
    }

    static DestinationDecision allow(String identity, String rule, String message) {
        return new DestinationDecision(identity, DestinationAction.ALLOW, null, rule, message);
    }

    static DestinationDecision deny(String identity, Reason reason, String rule, String message) {
        return new DestinationDecision(identity, DestinationAction.DENY, Objects.requireNonNull(reason, "reason"), rule, message);
    }

    static DestinationDecision ask(String identity, String rule, String message) {
        return new DestinationDecision(identity, DestinationAction.ASK, null, rule, message);
    }

    /** The identity whose rules decided (or {@code default}). */
    public String identity() {
        return identity;
    }

    public DestinationAction action() {
        return action;
    }

    public boolean isAllowed() {
        return action == DestinationAction.ALLOW;
    }

    public boolean isDenied() {
        return action == DestinationAction.DENY;
    }

    /** True when the approver must be asked before the destination may be reached. */
    public boolean needsApproval() {
        return action == DestinationAction.ASK;
    }

    /** {@code dest.denied} or {@code dest.not_allowed} for a denial; empty otherwise. */
    public Optional<Reason> reason() {
        return Optional.ofNullable(reason);
    }

    /**
     * The rule that decided: {@code destinations.coder.allow[0]:api.openai.com:443},
     * {@code destinations.coder.default:deny}; empty when the policy has no destination rules for
     * this identity (everything the denylist allows is allowed).
     */
    public Optional<String> rule() {
        return Optional.ofNullable(rule);
    }

    /** The identity's {@code message} for the agent, when its entry has one. */
    public Optional<String> message() {
        return Optional.ofNullable(message);
    }

    /** The denial as a policy {@link Decision} ({@code dest.*} with the rule); empty unless denied. */
    public Optional<Decision> denial() {
        return isDenied() ? Optional.of(Decision.deny(reason, rule)) : Optional.empty();
    }

    @Override
    public String toString() {
        return identity + ": " + action.code() + (reason == null ? "" : " " + reason.code()) + (rule == null ? "" : " (" + rule + ")");
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DestinationDecision)) {
            return false;
        }
        DestinationDecision d = (DestinationDecision) o;
        return identity.equals(d.identity) && action == d.action && reason == d.reason && Objects.equals(rule, d.rule)
                && Objects.equals(message, d.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(identity, action, reason, rule, message);
    }
}
