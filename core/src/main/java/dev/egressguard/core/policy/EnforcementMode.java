package dev.egressguard.core.policy;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Whether denials are enforced, or only reported as {@code would_deny} while traffic flows. */
public enum EnforcementMode {
    ENFORCE("enforce"),
    REPORT("report");

    private final String code;

    EnforcementMode(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static Optional<EnforcementMode> fromCode(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.code.equals(s)).findFirst();
    }
}
