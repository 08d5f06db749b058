package dev.egressguard.cli.validate;

/** What a probe proved. */
public enum ProbeVerdict {
    /** The destination was refused or, for a canary, provably not reached. */
    BLOCKED("BLOCKED", "blocked"),
    /** The destination was reached: a canary saw the connection, or the proxy reported success. */
    LEAK("LEAK", "leak"),
    /** Neither proven: timeouts, upstream errors, success with no canary hit. Fails the run. */
    NOT_PROVEN("NOT PROVEN", "not_proven"),
    /** Not sent or not decidable here, for a stated reason (scope, no route out). */
    SKIPPED("SKIPPED", "skipped"),
    /** A destination that should pass (the public URL) did. */
    PASSED("PASSED", "passed");

    private final String label;
    private final String code;

    ProbeVerdict(String label, String code) {
        this.label = label;
        this.code = code;
    }

    /** As the table prints it. */
    public String label() {
        return label;
    }

    /** As JSON carries it. */
    public String code() {
        return code;
    }
}
