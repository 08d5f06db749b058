package dev.egressguard.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Removes what must not cross a proxy (RFC 9110 section 7.6.1): {@code Connection} and every
 * header it names, {@code Keep-Alive}, {@code TE}, {@code Trailer}, {@code Upgrade} (kept for a
 * WebSocket handshake), and every {@code Proxy-*} header, credentials included.
 * {@code Transfer-Encoding: chunked} stays: the encoder re-frames the body for the next hop.
 */
final class HopByHopHeaders {
    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers, boolean keepUpgrade) {
        List<String> named = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.strip().toLowerCase(Locale.ROOT);
                // framing headers are never dropped by a Connection token: the body is framed by them
                boolean framing = t.equals("transfer-encoding") || t.equals("content-length") || t.equals("host");
                if (!t.isEmpty() && !framing && !(keepUpgrade && t.equals("upgrade"))) {
                    named.add(t);
                }
            }
        }
        named.forEach(headers::remove);
        headers.remove(HttpHeaderNames.CONNECTION);
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove(HttpHeaderNames.TE);
        headers.remove(HttpHeaderNames.TRAILER);
        if (!keepUpgrade) {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
        List<String> proxyHeaders = new ArrayList<>();
        for (String name : headers.names()) {
            if (name.regionMatches(true, 0, "proxy-", 0, 6)) {
                proxyHeaders.add(name);
            }
        }
        proxyHeaders.forEach(headers::remove);
        if (keepUpgrade) {
            headers.set(HttpHeaderNames.CONNECTION, "Upgrade");
        }
    }
}
