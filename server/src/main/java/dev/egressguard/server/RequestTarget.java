package dev.egressguard.server;

import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.Hostnames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a proxy request wants to go, read from the request line only (never from {@code Host}):
 * {@code CONNECT host:port}, or absolute-form {@code http://host[:port]/path}, which is a
 * WebSocket upgrade when it carries {@code Upgrade: websocket}. Anything else is refused with the
 * rule that caught it.
 */
record RequestTarget(Mode mode, String host, int port, String originForm) {
    enum Mode {
        FORWARD("forward"), CONNECT("connect"), WEBSOCKET("websocket"), SOCKS("socks"),
        /** A request inside an intercepted TLS tunnel (docs/tls.md); never parsed from a request line. */
        INTERCEPT("intercept"),
        /** The TLS layer of a CONNECT tunnel: its ClientHello and handshake (docs/tls.md); never parsed from a request line. */
        TLS("tls");

        private final String code;

        Mode(String code) {
            this.code = code;
        }

        String code() {
            return code;
        }
    }

    /** A refused request: the rule that caught it and a sentence for the client. */
    record Refusal(String rule, String message) {}

    /** The parse outcome: a target or a refusal. */
    record Parsed(RequestTarget target, Refusal refusal) {}

    static Parsed parse(HttpRequest request) {
        String uri = request.uri();
        if (!isAsciiAuthority(uri)) {
            // Netty reads the line as Latin-1: raw UTF-8 would be IDNA-mapped to some other name
            return refuse("request:non-ascii-host", "the host must be ASCII; send an internationalised name as punycode (xn--)");
        }
        if (request.method().equals(HttpMethod.CONNECT)) {
            if (uri.indexOf('@') >= 0 || uri.indexOf('/') >= 0) {
                return refuse("request:connect-authority", "CONNECT needs host:port (authority-form), without userinfo or path");
            }
            Optional<HostPort> hp = HostPort.tryParseAuthority(uri);
            if (hp.isEmpty()) {
                return refuse("request:bad-port-or-host", "CONNECT needs host:port with a port 1..65535");
            }
            return ok(new RequestTarget(Mode.CONNECT, hp.get().host(), hp.get().port(), null));
        }
        String lower = uri.toLowerCase(Locale.ROOT);
        if (uri.startsWith("/") || uri.equals("*")) {
            return refuse("request:origin-form", "this is a forward proxy: send absolute-form requests (http://host/path), or CONNECT for https");
        }
        if (lower.startsWith("https://") || lower.startsWith("wss://")) {
            return refuse("request:https-absolute-form", "use CONNECT for https and wss destinations");
        }
        if (!lower.startsWith("http://") && !lower.startsWith("ws://")) {
            return refuse("request:scheme", "only http:// (and ws://) absolute-form targets are forwarded");
        }
        int start = uri.indexOf("://") + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        String auth = uri.substring(start, end);
        if (auth.indexOf('@') >= 0) {
            return refuse("request:userinfo", "credentials in the URL are not forwarded; remove user:password@");
        }
        if (auth.indexOf('\\') >= 0 || uri.indexOf('#') >= 0) {
            return refuse("request:bad-uri", "the request target is not a valid absolute URI");
        }
        Optional<HostPort> hp = HostPort.tryParseWithDefaultPort(auth, 80);
        if (hp.isEmpty()) {
            return refuse("request:bad-port-or-host", "the request target needs a host and a port 1..65535");
        }
        String path = end < uri.length() ? uri.substring(end) : "/";
        if (path.startsWith("?")) {
            path = "/" + path;
        }
        Mode mode = isWebSocketUpgrade(request) ? Mode.WEBSOCKET : Mode.FORWARD;
        return ok(new RequestTarget(mode, hp.get().host(), hp.get().port(), path));
    }

    /** True when the target's authority (all of it for CONNECT) is ASCII; a URI has no raw non-ASCII byte. */
    private static boolean isAsciiAuthority(String uri) {
        int start = uri.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        for (int i = start; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if ("/?#".indexOf(c) >= 0 && start > 0) {
                return true;
            }
            if (c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    static boolean isWebSocketUpgrade(HttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /**
     * The {@code Host} header must name the request line's authority (case aside, default port
     * implied); several {@code Host} headers are refused. A missing one is filled in upstream.
     */
    Optional<Refusal> checkHostHeader(HttpRequest request) {
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.isEmpty() || mode == Mode.CONNECT) {
            return hosts.size() > 1 ? Optional.of(new Refusal("request:host-header", "several Host headers")) : Optional.empty();
        }
        if (hosts.size() > 1) {
            return Optional.of(new Refusal("request:host-header", "several Host headers"));
        }
        String h = hosts.get(0).strip().toLowerCase(Locale.ROOT);
        String name = Hostnames.bracketIpv6(host.toLowerCase(Locale.ROOT));
        if (h.equals(name + ":" + port) || (port == 80 && h.equals(name))) {
            return Optional.empty();
        }
        return Optional.of(new Refusal("request:host-mismatch", "the Host header does not match the request line's host"));
    }

    /** The authority to send as {@code Host}: the default port implied. */
    String hostHeader() {
        String name = Hostnames.bracketIpv6(host);
        return port == 80 ? name : name + ":" + port;
    }

    private static Parsed ok(RequestTarget t) {
        return new Parsed(t, null);
    }

    private static Parsed refuse(String rule, String message) {
        return new Parsed(null, new Refusal(rule, message));
    }
}
