package dev.egressguard.client.fetch;

import java.util.Objects;

/**
 * One request of a guarded fetch: where it goes and what it carries. Each redirect makes the next
 * hop from the previous one ({@link RedirectRules#follow}).
 *
 * @param body the body, or {@code null} for none
 */
record Hop(HopTarget target, String method, FetchHeaders headers, byte[] body) {
    Hop {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(headers, "headers");
    }

    /** What loop detection compares: the method and the URL, as OpenClaw does. */
    String visitKey() {
        return method + " " + target;
    }

    boolean isGetOrHead() {
        return method.equals("GET") || method.equals("HEAD");
    }
}
