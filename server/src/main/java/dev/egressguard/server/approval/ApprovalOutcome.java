package dev.egressguard.server.approval;

import dev.egressguard.core.policy.Reason;
import java.util.Optional;

/** How an approval ended. Only {@link #ALLOW} lets the destination through. */
public enum ApprovalOutcome {
    /** The approver said allow. */
    ALLOW("allow", null),
    /** The approver said deny: {@code approval.denied}. */
    DENY("deny", Reason.APPROVAL_DENIED),
    /** No answer within {@code approvals.timeout}: {@code approval.timeout}. */
    TIMEOUT("timeout", Reason.APPROVAL_TIMEOUT),
    /** Unreachable, a non-2xx, a malformed answer, or too many approvals at once: {@code approval.error}. */
    ERROR("error", Reason.APPROVAL_ERROR);

    private final String code;
    private final Reason reason;

    ApprovalOutcome(String code, Reason reason) {
        this.code = code;
        this.reason = reason;
    }

    /** Stable lowercase code, as in the audit event's {@code approval} field. */
    public String code() {
        return code;
    }

    /** The denial reason; empty for {@link #ALLOW}. */
    public Optional<Reason> reason() {
        return Optional.ofNullable(reason);
    }

    /** Answers are remembered for {@code approvals.cacheFor}; timeouts and errors never are. */
    boolean isCacheable() {
        return this == ALLOW || this == DENY;
    }
}
