package dev.egressguard.core.policy;

/** What a policy says about a destination. */
public enum Verdict {
    ALLOW("allow"),
    DENY("deny"),
    /** {@code mode: report}: the policy denies it, and the traffic goes through so that the denial is seen, not felt. */
    WOULD_DENY("would_deny");

    private final String code;

    Verdict(String code) {
        this.code = code;
    }

    /** Stable lowercase code, as in audit events and {@code check --json}. */
    public String code() {
        return code;
    }
}
