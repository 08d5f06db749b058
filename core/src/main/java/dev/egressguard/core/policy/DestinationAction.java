package dev.egressguard.core.policy;

import java.util.Arrays;
import java.util.Optional;

/** What a {@code destinations} entry does with a host: its {@code default}, and the outcome of a match. */
public enum DestinationAction {
    ALLOW("allow"),
    DENY("deny"),
    /** Consult the operator's approver ({@code approvals.url}); deny on no answer. */
    ASK("ask");

    private final String code;

    DestinationAction(String code) {
        this.code = code;
    }

    /** Stable lowercase code, as written in a policy file. */
    public String code() {
        return code;
    }

    /** The action for its exact code ({@code allow}, {@code deny}, {@code ask}). */
    public static Optional<DestinationAction> fromCode(String text) {
        return Arrays.stream(values()).filter(a -> a.code.equals(text)).findFirst();
    }
}
