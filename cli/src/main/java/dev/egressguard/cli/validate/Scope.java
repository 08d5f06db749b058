package dev.egressguard.cli.validate;

import java.util.Locale;
import java.util.Optional;

/** Which probes a run sends. */
public enum Scope {
    /** Only probes that, if the proxy let them through, land on this machine's loopback: on the canaries. */
    LOOPBACK("loopback"),
    /** Every probe: a permissive proxy really dials private, link-local and metadata addresses. */
    ALL("all");

    private final String code;

    Scope(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static Optional<Scope> fromCode(String text) {
        for (Scope s : values()) {
            if (s.code.equals(text.toLowerCase(Locale.ROOT))) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
