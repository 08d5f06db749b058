package dev.egressguard.server;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The two sides of an RFC 6455 opening handshake that decide whether the proxy may switch a
 * connection to a raw relay: the client's {@code Sec-WebSocket-Key} (16 random bytes, base64), and
 * an upstream {@code 101} that upgrades to exactly {@code websocket} with the matching
 * {@code Sec-WebSocket-Accept}. A {@code 101} to anything else — {@code h2c}, a missing or wrong
 * accept key — is not a WebSocket, and the client gets a 502 instead of an opaque tunnel.
 */
final class WebSocketHandshake {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketHandshake() {}

    /** The request's key when it is exactly one well-formed {@code Sec-WebSocket-Key}. */
    static Optional<String> clientKey(HttpRequest request) {
        List<String> keys = request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (keys.size() != 1) {
            return Optional.empty();
        }
        String key = keys.get(0).strip();
        try {
            return Base64.getDecoder().decode(key).length == 16 ? Optional.of(key) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Why the upstream's {@code 101} is not the WebSocket switch the client asked for; empty when it is. */
    static Optional<String> refusalOf(HttpResponse switching, String clientKey) {
        List<String> upgrades = switching.headers().getAll(HttpHeaderNames.UPGRADE);
        if (upgrades.size() != 1 || !upgrades.get(0).strip().equalsIgnoreCase("websocket")) {
            return Optional.of("the upstream switched to a protocol other than the websocket the client asked for");
        }
        List<String> accepts = switching.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
        if (accepts.size() != 1 || !accepts.get(0).strip().equals(acceptFor(clientKey))) {
            return Optional.of("the upstream's Sec-WebSocket-Accept does not answer the client's key");
        }
        return Optional.empty();
    }

    static String acceptFor(String clientKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((clientKey + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }
}
