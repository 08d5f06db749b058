package dev.egressguard.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayDeque;

/** What the response side of a forwarded exchange tells the client connection's exchange. */
interface ResponseEvents {
    /** The final response head (or a 101) went to the client. */
    void responseStarted(int status);

    /**
     * The response went to the client whole.
     *
     * @param upstreamReusable the upstream connection may carry the next request
     * @param closeClient      the client connection ends with this response
     */
    void responseEnded(boolean upstreamReusable, boolean closeClient);

    /** The upstream sent no valid answer: a 502 if nothing was answered yet, else the client is cut off. */
    void responseFailed(ProxyStatusError error, String why);

    /** The upstream's verified {@code 101} is complete: switch both sides to a WebSocket relay. */
    void switchToWebSocket(HttpResponse switching, ArrayDeque<ByteBuf> earlyUpstreamBytes);

    /** The upstream's writability changed (back-pressure for the request body). */
    void upstreamWritabilityChanged(boolean writable);

    /** The upstream connection closed. */
    void upstreamClosed(Channel upstream);
}
