package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * A request body on its way upstream: held while the destination is decided and dialled, then
 * written as it arrives (one flush per client read), its trailers filtered, with back-pressure —
 * a full upstream stops reads from the client until it drains.
 */
final class RequestBody {
    private final Channel client;
    private final ArrayDeque<HttpContent> held = new ArrayDeque<>();
    private Channel upstream;
    private boolean ended;
    private boolean dropping;
    private boolean anyBytes;

    RequestBody(Channel client, boolean endedWithHead) {
        this.client = client;
        this.ended = endedWithHead;
    }

    /** The request ended without a byte of body. */
    boolean none() {
        return ended && !anyBytes;
    }

    /** True once the body's last part arrived (at once for a request without one). */
    boolean ended() {
        return ended;
    }

    /** Takes one part of the body: held, written upstream, or released when nobody will send it. */
    void add(HttpContent part) {
        anyBytes |= part.content().isReadable();
        boolean last = part instanceof LastHttpContent;
        if (last) {
            ended = true; // a request pipelined behind it waits (ExchangeHandler turns reading off when one arrives)
            TrailerFields.strip(((LastHttpContent) part).trailingHeaders());
        }
        if (dropping) {
            part.release();
        } else if (upstream == null) {
            held.add(part);
        } else {
            upstream.write(part).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            if (!upstream.isWritable()) {
                upstream.flush();
                if (!upstream.isWritable()) {
                    client.config().setAutoRead(false); // on again when the upstream drains
                }
            }
        }
    }

    /** The request head went out on {@code upstream}: what was held follows it, and the rest streams. */
    void sendTo(Channel upstream) {
        this.upstream = upstream;
        while (!held.isEmpty()) {
            upstream.write(held.poll()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        upstream.flush();
        if (!ended) {
            client.config().setAutoRead(upstream.isWritable());
        }
    }

    /** A client read ended: flush what it produced. */
    void flush() {
        if (upstream != null) {
            upstream.flush();
        }
    }

    void upstreamWritabilityChanged(boolean writable) {
        if (upstream != null && !ended) {
            client.config().setAutoRead(writable);
        }
    }

    /** Nothing more goes upstream: what is held and what still arrives is released. */
    void drop() {
        dropping = true;
        upstream = null;
        held.forEach(ReferenceCountUtil::release);
        held.clear();
    }
}
