package dev.egressguard.client.fetch;

import java.util.Set;

/**
 * How a redirect changes the next request, as browsers and OpenClaw's {@code fetchWithSsrFGuard}
 * do it. 303 turns anything but GET and HEAD into a GET, and 301 and 302 turn a POST into a GET;
 * either drops the body and its header fields. 307 and 308 keep the method and body. Across
 * origins (scheme, host or port differ) a non-GET/HEAD request also loses its body and body
 * fields unless unsafe replay is allowed, and only the {@link #CROSS_ORIGIN_SAFE_HEADERS} survive,
 * so {@code Authorization}, {@code Cookie}, {@code Proxy-Authorization} and every custom
 * credential header are dropped.
 */
final class RedirectRules {
    /** OpenClaw's {@code CROSS_ORIGIN_REDIRECT_SAFE_HEADERS}. */
    static final Set<String> CROSS_ORIGIN_SAFE_HEADERS = Set.of("accept", "accept-encoding", "accept-language",
            "cache-control", "content-language", "content-type", "if-match", "if-modified-since", "if-none-match",
            "if-unmodified-since", "pragma", "range", "user-agent");

    /** The fields that describe a body, dropped with it. */
    static final Set<String> BODY_HEADERS = Set.of("content-encoding", "content-language", "content-length",
            "content-location", "content-type", "transfer-encoding");

    private RedirectRules() {}

    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** The request to send to {@code next} after {@code current} was answered with {@code status}. */
    static Hop follow(Hop current, int status, HopTarget next, boolean allowCrossOriginUnsafeReplay) {
        Hop hop = forceGetIfNeeded(current, status);
        if (!next.sameOrigin(current.target())) {
            if (!allowCrossOriginUnsafeReplay && !hop.isGetOrHead()) {
                hop = new Hop(hop.target(), hop.method(), hop.headers().removing(BODY_HEADERS), null);
            }
            hop = new Hop(hop.target(), hop.method(), hop.headers().retaining(CROSS_ORIGIN_SAFE_HEADERS), hop.body());
        }
        return new Hop(next, hop.method(), hop.headers(), hop.body());
    }

    private static Hop forceGetIfNeeded(Hop hop, int status) {
        boolean toGet = status == 303 ? !hop.isGetOrHead() : (status == 301 || status == 302) && hop.method().equals("POST");
        return toGet ? new Hop(hop.target(), "GET", hop.headers().removing(BODY_HEADERS), null) : hop;
    }
}
