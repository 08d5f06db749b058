package dev.egressguard.core.policy;

/** What a policy says about a destination. */
public enum Verdict {
    ALLOW("allow"),
    DENY("deny");

    private final String code;

    Verdict(String code) {
        this.code = code;
    }

    /** Stable lowercase code, as in audit events and {@code check --json}. */
    public String code() {
        return code;
    }
}
