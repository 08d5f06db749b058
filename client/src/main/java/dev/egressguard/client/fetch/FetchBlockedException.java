package dev.egressguard.client.fetch;

import dev.egressguard.core.guard.SsrfBlockedException;
import dev.egressguard.core.policy.Reason;

/**
 * The SSRF guard refused a destination (the first URL, a redirect target, or an explicit proxy):
 * core's {@link SsrfBlockedException}, unchecked, as the cause. The message is OpenClaw's.
 */
public final class FetchBlockedException extends GuardedFetchException {
    private final String host;

    FetchBlockedException(SsrfBlockedException cause, String host, int upstreamRequests) {
        super(cause.getMessage(), cause, upstreamRequests);
        this.host = host;
    }

    /** The stable reason code of the refusal ({@code ip.loopback}, {@code host.blocked_name}, …). */
    public Reason reason() {
        return ((SsrfBlockedException) getCause()).reason();
    }

    /** The host that was refused, as the URL named it. */
    public String host() {
        return host;
    }
}
