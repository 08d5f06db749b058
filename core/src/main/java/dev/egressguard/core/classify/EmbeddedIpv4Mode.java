package dev.egressguard.core.classify;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How IPv6 addresses that carry an IPv4 address are judged. ISATAP is always decoded. */
public enum EmbeddedIpv4Mode {
    /** Deny the transition prefixes outright (the spec's table; the default). */
    BLOCK_PREFIX("block-prefix"),
    /** Judge by the embedded IPv4 address (DNS64/NAT64 networks; OpenClaw's application-level rule). */
    DECODE("decode");

    private final String code;

    EmbeddedIpv4Mode(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static Optional<EmbeddedIpv4Mode> fromCode(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.code.equals(s)).findFirst();
    }
}
