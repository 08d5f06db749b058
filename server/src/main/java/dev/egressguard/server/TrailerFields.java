package dev.egressguard.server;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Trailer fields that may cross the proxy. RFC 9110 section 6.5.1 forbids in trailers what frames,
 * routes, authenticates or controls a message — a {@code Host} or {@code Content-Length} trailer
 * could re-route or re-frame it at a lenient next hop — so those are removed, as are hop-by-hop and
 * {@code Proxy-*} fields. Anything else (checksums, {@code grpc-status}, {@code Server-Timing}) passes.
 */
final class TrailerFields {
    private static final Set<String> PROHIBITED = Set.of(
            // framing
            "transfer-encoding", "content-length", "content-encoding", "content-type", "content-range", "trailer",
            // routing and connection management
            "host", "connection", "keep-alive", "te", "upgrade", "via", "max-forwards", "forwarded",
            // authentication and state
            "authorization", "www-authenticate", "authentication-info", "cookie", "set-cookie",
            // request modifiers and response control data
            "expect", "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range",
            "cache-control", "pragma", "age", "expires", "date", "location", "retry-after", "vary", "warning");

    private TrailerFields() {}

    /** Removes every prohibited field from a trailer section (which may be empty and read-only). */
    static void strip(HttpHeaders trailers) {
        if (trailers.isEmpty()) {
            return;
        }
        List<String> drop = new ArrayList<>();
        for (Map.Entry<String, String> e : trailers) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (PROHIBITED.contains(name) || AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6)) {
                drop.add(name);
            }
        }
        drop.forEach(trailers::remove);
    }
}
