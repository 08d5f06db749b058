package dev.egressguard.core.guard;

import dev.egressguard.core.policy.Reason;
import java.io.IOException;

/**
 * The guard refused a destination. The message is OpenClaw's wording (its {@code SsrFBlockedError}),
 * so that callers and agents see the same text from either implementation; {@link #reason()} is
 * our stable code.
 */
public final class SsrfBlockedException extends IOException {
    public static final String BLOCKED_HOST = "Blocked hostname or private/internal/special-use IP address";
    public static final String BLOCKED_RESOLVED = "Blocked: resolves to private/internal/special-use IP address";

    private final Reason reason;

    public SsrfBlockedException(String message, Reason reason) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
