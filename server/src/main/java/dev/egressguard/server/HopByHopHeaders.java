package dev.egressguard.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Removes what must not cross a proxy (RFC 9110 section 7.6.1): {@code Connection} and every
 * header it names, {@code Keep-Alive}, {@code TE}, {@code Trailer}, {@code Upgrade} (kept for a
 * WebSocket handshake), and every {@code Proxy-*} header, credentials included.
 * {@code Transfer-Encoding: chunked} stays: the encoder re-frames the body for the next hop.
 */
final class HopByHopHeaders {
    private HopByHopHeaders() {}

    static void strip(HttpHeaders headers, boolean keepUpgrade) {
        List<String> named = null;
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String t = token.strip().toLowerCase(Locale.ROOT);
                // framing headers are never dropped by a Connection token: the body is framed by them
                boolean framing = t.equals("transfer-encoding") || t.equals("content-length") || t.equals("host");
                if (!t.isEmpty() && !framing && !(keepUpgrade && t.equals("upgrade"))) {
                    (named == null ? named = new ArrayList<>() : named).add(t);
                }
            }
        }
        if (named != null) {
            named.forEach(headers::remove);
        }
        headers.remove(HttpHeaderNames.CONNECTION);
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove(HttpHeaderNames.TE);
        headers.remove(HttpHeaderNames.TRAILER);
        if (!keepUpgrade) {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
        List<CharSequence> proxyHeaders = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6)) {
                (proxyHeaders == null ? proxyHeaders = new ArrayList<>() : proxyHeaders).add(name);
            }
        }
        if (proxyHeaders != null) {
            proxyHeaders.forEach(headers::remove);
        }
        if (keepUpgrade) {
            headers.set(HttpHeaderNames.CONNECTION, "Upgrade");
        }
    }
}
