package dev.egressguard.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response side of forwarding, for one upstream HTTP connection: it relays what the upstream
 * answers straight to the client — interim responses under back-pressure and a cap, the final
 * head at once, the body as it arrives (one flush per read), trailers filtered, HTTP/1.0 clients
 * given identity bodies — and tells the client's exchange only how the response went
 * ({@link ResponseEvents}). A {@code 101} becomes a relay only when it is the WebSocket switch the
 * client asked for. Anything the upstream sends outside an expected response closes it.
 */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {
    /** More interim (1xx) responses than this to one request is an upstream fault, not a protocol. */
    static final int MAX_INTERIM_RESPONSES = 16;
    private static final Logger log = LoggerFactory.getLogger(UpstreamResponseHandler.class);

    /** Where the response to the request in flight stands. */
    private enum Phase {
        /** No request in flight: any byte now is out of step. */
        IDLE,
        /** The request went out; its response head has not. */
        AWAITING_HEAD,
        /** An interim head arrived; its (empty) content follows. */
        INTERIM,
        /** The final head went to the client; the body is streaming. */
        BODY,
        /** A verified 101 arrived; waiting for the switch. */
        SWITCHING
    }

    private final ProxyContext proxy;
    /** The client connection the response goes to, and its exchange; none while the connection waits in {@link IdleUpstreams}. */
    private Channel client;
    private ResponseEvents events;
    private Phase phase = Phase.IDLE;
    private ValidRequest request;
    private int interims;
    private boolean swallowInterim;
    private boolean reusable;
    private boolean closeClient;
    private HttpResponse switching;
    private final ArrayDeque<ByteBuf> afterSwitch = new ArrayDeque<>();

    UpstreamResponseHandler(Channel client, ProxyContext proxy, ResponseEvents events) {
        this.client = client;
        this.proxy = proxy;
        this.events = events;
    }

    /** The connection passes, idle, to another client connection's exchange (or, with a null client, to the shelf). */
    void rebind(Channel client, ResponseEvents events) {
        this.client = client;
        this.events = events;
    }

    /** The request was written on this connection: its response is the next thing the upstream may send. */
    void expect(Channel upstream, ValidRequest request) {
        this.request = request;
        this.phase = Phase.AWAITING_HEAD;
        this.interims = 0;
        codec(upstream).requestSent(request.isHead());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.IDLE) {
            ReferenceCountUtil.release(msg);
            ctx.close(); // bytes outside an expected response: this connection is out of step
            return;
        }
        if (msg instanceof ByteBuf) {
            afterSwitch.add((ByteBuf) msg); // after a 101, before the relay is in place (reads are off)
            return;
        }
        if (!(msg instanceof HttpObject) || ((HttpObject) msg).decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            fail(ctx, ProxyStatusError.HTTP_RESPONSE_INCOMPLETE, "the upstream's response could not be parsed");
            return;
        }
        if (msg instanceof HttpResponse && !onHead(ctx, (HttpResponse) msg)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpContent) {
            onContent(ctx, (HttpContent) msg);
        }
    }

    /** False when the head was not passed on (refused, or an interim response an HTTP/1.0 client must not see). */
    private boolean onHead(ChannelHandlerContext ctx, HttpResponse res) {
        int code = res.status().code();
        res.headers().remove(ErrorResponses.REASON_HEADER); // only the proxy speaks for the policy
        if (code == 101) {
            String refusal = request.mode() != RequestTarget.Mode.WEBSOCKET
                    ? "the upstream switched protocols although no upgrade was asked for"
                    : WebSocketHandshake.refusalOf(res, request.webSocketKey()).orElse(null);
            if (refusal != null) {
                fail(ctx, ProxyStatusError.HTTP_UPGRADE_FAILED, refusal);
                return false;
            }
            ctx.channel().config().setAutoRead(false);
            HopByHopHeaders.strip(res.headers(), true);
            switching = res;
            phase = Phase.SWITCHING;
            events.responseStarted(101);
            return true;
        }
        if (code >= 100 && code < 200) {
            if (++interims > MAX_INTERIM_RESPONSES) {
                fail(ctx, ProxyStatusError.HTTP_PROTOCOL_ERROR, "more than " + MAX_INTERIM_RESPONSES + " interim responses");
                return false;
            }
            phase = Phase.INTERIM;
            swallowInterim = request.http10(); // RFC 9110 15.2: no 1xx to an HTTP/1.0 client
            if (swallowInterim) {
                return false;
            }
            HopByHopHeaders.strip(res.headers(), false);
            client.write(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            ctx.channel().config().setAutoRead(client.isWritable()); // a client that does not read stops the upstream
            return true;
        }
        phase = Phase.BODY;
        reusable = HttpUtil.isKeepAlive(res);
        HopByHopHeaders.strip(res.headers(), false);
        boolean bodyless = code == 204 || code == 304 || request.isHead();
        if (request.http10() && HttpUtil.isTransferEncodingChunked(res) && !bodyless) {
            res.headers().remove(HttpHeaderNames.TRANSFER_ENCODING); // RFC 9112 6.1: an identity body, delimited by the close
        }
        boolean framed = HttpUtil.isContentLengthSet(res) || HttpUtil.isTransferEncodingChunked(res);
        closeClient = !request.keepAlive() || (!framed && !bodyless) || proxy.isDraining();
        res.headers().set(HttpHeaderNames.CONNECTION, closeClient ? HttpHeaderValues.CLOSE : HttpHeaderValues.KEEP_ALIVE);
        events.responseStarted(code);
        client.write(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        ctx.channel().config().setAutoRead(client.isWritable());
        return true;
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        switch (phase) {
            case INTERIM:
                if (swallowInterim) {
                    content.release();
                } else {
                    client.write(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                }
                if (last) {
                    phase = Phase.AWAITING_HEAD;
                }
                return;
            case SWITCHING:
                content.release();
                if (last) {
                    phase = Phase.IDLE;
                    events.switchToWebSocket(switching, afterSwitch);
                    switching = null;
                }
                return;
            case BODY:
                break;
            default:
                content.release();
                return;
        }
        if (last) {
            HttpHeaders trailers = ((LastHttpContent) content).trailingHeaders();
            if (request.http10() && !trailers.isEmpty()) {
                trailers.clear(); // no chunked framing, so no trailers
            } else {
                TrailerFields.strip(trailers);
            }
        }
        client.write(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE); // flushed when this read completes
        if (!last) {
            if (!client.isWritable()) {
                client.flush();
            }
            return;
        }
        client.flush();
        phase = Phase.IDLE;
        if (reusable) {
            codec(ctx.channel()).responseEnded();
        }
        events.responseEnded(reusable, closeClient);
    }

    private void fail(ChannelHandlerContext ctx, ProxyStatusError error, String why) {
        phase = Phase.IDLE;
        events.responseFailed(error, why);
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (client != null) {
            client.flush(); // what this read produced for the client goes out now, in one flush
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        events.upstreamWritabilityChanged(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        afterSwitch.forEach(ByteBuf::release);
        afterSwitch.clear();
        events.upstreamClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.logAndClose(log, ctx, cause, "upstream connection");
    }

    private static UpstreamResponseDecoder codec(Channel upstream) {
        return ((UpstreamResponseDecoder.Codec) upstream.pipeline().get(HandlerNames.UPSTREAM_CODEC)).decoder();
    }
}
