package dev.egressguard.core.classify;

import dev.egressguard.core.net.HostPattern;
import java.util.List;
import java.util.Optional;

/** The built-in blocked names: the spec's table united with OpenClaw's {@code BLOCKED_HOSTNAMES}. */
public final class BlockedHostnames {
    private BlockedHostnames() {}

    public static final List<HostPattern> DEFAULTS = List.of(
            HostPattern.parse("localhost"),
            HostPattern.parse("localhost.localdomain"),
            HostPattern.parse("metadata.google.internal"),
            HostPattern.parse("*.localhost"),
            HostPattern.parse("*.local"),
            HostPattern.parse("*.internal"));

    /** The built-in pattern that blocks {@code normalizedHost}, if any. */
    public static Optional<HostPattern> match(String normalizedHost) {
        for (HostPattern p : DEFAULTS) {
            if (p.matches(normalizedHost)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
