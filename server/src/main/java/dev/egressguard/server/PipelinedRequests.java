package dev.egressguard.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Requests (and their parts) a client pipelined while an exchange was in flight: they wait, then
 * are read again in order — on the event loop's next turn, so that an upstream that appended
 * bytes after its response is seen doing so (and closed) before the next request could reuse it.
 */
final class PipelinedRequests {
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();

    /**
     * Whether the client may still be read while {@code head}'s exchange is in flight: yes for a
     * bodyless plain request (no two epoll_ctl calls per keep-alive request), and what it pipelines
     * meanwhile waits here, reads off from the first of them; a body, CONNECT or an upgrade stops
     * reads at once.
     */
    static boolean readsOnDuring(HttpRequest head) {
        HttpHeaders headers = head.headers();
        return head.decoderResult().isSuccess() && !HttpMethod.CONNECT.equals(head.method())
                && !headers.contains(HttpHeaderNames.CONTENT_LENGTH) && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                && !headers.contains(HttpHeaderNames.UPGRADE);
    }

    void add(Object msg) {
        waiting.add(msg);
    }

    /** Reads what waits through {@code reader} on the next turn, then runs {@code after}; released if the connection closed meanwhile. */
    void replayNextTurn(ChannelHandlerContext ctx, Consumer<Object> reader, Runnable after) {
        List<Object> early = new ArrayList<>(waiting);
        waiting.clear();
        ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) {
                early.forEach(ReferenceCountUtil::release);
                return;
            }
            early.forEach(reader);
            after.run();
        });
    }

    void releaseAll() {
        waiting.forEach(ReferenceCountUtil::release);
        waiting.clear();
    }
}
