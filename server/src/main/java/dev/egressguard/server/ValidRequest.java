package dev.egressguard.server;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A request that passed validation, as every later step needs it: where it goes (read from the
 * request line only), the head to send upstream (origin-form, hop-by-hop headers gone; none for a
 * CONNECT), and how to speak to the client. Immutable once made.
 *
 * @param webSocketKey the client's {@code Sec-WebSocket-Key}, for a WebSocket upgrade only
 */
record ValidRequest(RequestTarget target, HttpRequest upstreamHead, boolean keepAlive, boolean http10, String webSocketKey) {
    RequestTarget.Mode mode() {
        return target.mode();
    }

    boolean isHead() {
        return upstreamHead != null && HttpMethod.HEAD.equals(upstreamHead.method());
    }

    /** {@code host:port}: which upstream connections this request may reuse. */
    String upstreamKey() {
        return target.host() + ":" + target.port();
    }
}
