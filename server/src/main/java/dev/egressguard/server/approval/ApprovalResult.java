package dev.egressguard.server.approval;

import dev.egressguard.core.policy.Decision;
import java.util.Objects;
import java.util.Optional;

/**
 * The end of one approval: the outcome, the approver's message (already cleaned: one line, at most
 * {@link ApprovalBodies#MAX_MESSAGE} characters, no control characters), a short detail of what
 * went wrong for timeouts and errors (never text the approver chose), and whether it came from the
 * cache. A value, never an exception.
 */
public record ApprovalResult(ApprovalOutcome outcome, Optional<String> message, Optional<String> detail, boolean cached) {
    public ApprovalResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(detail, "detail");
    }

    static ApprovalResult answer(ApprovalOutcome outcome, String message) {
        return new ApprovalResult(outcome, Optional.ofNullable(message), Optional.empty(), false);
    }

    static ApprovalResult timeout() {
        return new ApprovalResult(ApprovalOutcome.TIMEOUT, Optional.empty(), Optional.empty(), false);
    }

    static ApprovalResult error(String detail) {
        return new ApprovalResult(ApprovalOutcome.ERROR, Optional.empty(), Optional.of(detail), false);
    }

    ApprovalResult fromCache() {
        return new ApprovalResult(outcome, message, detail, true);
    }

    public boolean isAllowed() {
        return outcome == ApprovalOutcome.ALLOW;
    }

    /** The denial ({@code approval.*} with {@code rule}, the ask rule that asked); empty when allowed. */
    public Optional<Decision> denial(String rule) {
        return outcome.reason().map(r -> Decision.deny(r, rule));
    }

    /**
     * What the audit event's {@code approval} field says: {@code allow}, {@code deny},
     * {@code deny: <message>}, {@code timeout}, {@code error: HTTP 500}; {@code (cached)} when the
     * answer was remembered.
     */
    public String auditText() {
        String text = outcome.code() + message.or(() -> detail).map(m -> ": " + m).orElse("");
        return cached ? text + " (cached)" : text;
    }
}
