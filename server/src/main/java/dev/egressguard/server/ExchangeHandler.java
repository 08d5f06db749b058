package dev.egressguard.server;

import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection's exchanges, one request at a time, each through the same steps:
 * {@link RequestVetting} (admission, validation, the decision), the {@link UpstreamSlot} (a vetted
 * address only), then forwarding — the body by {@link RequestBody}, the response by the
 * {@link UpstreamResponseHandler} — or a {@link Tunnels tunnel}. Refusals are answered by
 * {@link ErrorResponses} and closed by {@link LingeringCloseHandler}. One {@link ExchangeState}.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter implements ResponseEvents {
    private static final Logger log = LoggerFactory.getLogger(ExchangeHandler.class);

    private final ProxyContext proxy;
    private final TrafficCounter traffic;
    private final RequestVetting vetting;
    private final String connectionId;
    private ChannelHandlerContext ctx;
    private String clientText = "unknown";
    private IpAddress clientIp;
    private int sequence;
    /** Bytes read and written when the last exchange ended: each exchange counts its own head too. */
    private long upMark;
    private long downMark;
    private final HeadTimer headTimer;
    private final UpstreamSlot upstream;

    private ExchangeState state = ExchangeState.IDLE;
    private Exchange exchange;
    private ValidRequest request;
    private RequestBody body;
    private int status;
    private boolean wantsJson;
    private final PipelinedRequests pipelined = new PipelinedRequests();

    ExchangeHandler(ProxyContext proxy, TrafficCounter traffic) {
        this.proxy = proxy;
        this.traffic = traffic;
        this.vetting = new RequestVetting(proxy);
        this.connectionId = proxy.nextConnectionId();
        this.headTimer = new HeadTimer(proxy, traffic);
        this.upstream = new UpstreamSlot(proxy, this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clientText = ClientAddress.text(ctx.channel()); // known now, PROXY protocol included
        clientIp = ClientAddress.ipOf(ctx.channel());
        headTimer.arm(ctx, this::onHeadTimeout);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == ExchangeState.IDLE) {
            if (msg instanceof HttpRequest) {
                begin((HttpRequest) msg);
            }
            ReferenceCountUtil.release(msg); // the head holds no buffer; stray content after an exchange is dropped
        } else if (body != null && !body.ended() && msg instanceof HttpContent) {
            HttpContent part = (HttpContent) msg;
            if (part.decoderResult().isFailure() && state.isInFlight()) {
                part.release();
                bodyFailed();
            } else {
                body.add(part);
            }
        } else if (state.isInFlight()) {
            pipelined.add(msg); // the next request arrived early: it waits for this exchange to end,
            ctx.channel().config().setAutoRead(false); // and nothing more is read meanwhile
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (body != null) {
            body.flush(); // what this read produced for the upstream goes out in one flush
        }
        ctx.fireChannelReadComplete();
    }

    private void begin(HttpRequest head) {
        headTimer.pause();
        if (!PipelinedRequests.readsOnDuring(head)) {
            ctx.channel().config().setAutoRead(false);
        }
        String method = head.decoderResult().isSuccess() ? head.method().name() : null; // a refused head's method is the decoder's marker
        exchange = new Exchange(proxy, connectionId + "-" + (++sequence), clientText, method, upMark, downMark);
        body = new RequestBody(ctx.channel(), head instanceof LastHttpContent && head.decoderResult().isSuccess());
        wantsJson = RefusalBodies.acceptsJson(head.headers().get(HttpHeaderNames.ACCEPT));
        move(ExchangeState.ADMITTING);
        Exchange current = exchange;
        vetting.vet(head, exchange, body, clientIp, ctx.channel().eventLoop(), () -> {
            if (exchange == current && state == ExchangeState.ADMITTING) {
                move(ExchangeState.DECIDING);
            }
        }).addListener((Future<RequestVetting.Verdict> f) -> {
            if (exchange != current || !state.isBeforeAResponse()) {
                return; // the connection closed (or the exchange ended) meanwhile
            }
            RequestVetting.Verdict v = f.getNow();
            if (v.refusal() != null) {
                refuse(v.refusal(), true);
                return;
            }
            request = v.request();
            connect(v.dialable(), v.tunnel());
        });
    }

    // ---- the upstream ---------------------------------------------------------------------------

    private void connect(List<InetAddress> vetted, TunnelPlan tunnel) {
        move(ExchangeState.CONNECTING);
        Channel reusable = upstream.reusableFor(request, vetted, exchange.sharingKey(), ctx.channel());
        if (reusable != null || tunnel.intercepts()) { // docs/tls.md: an intercepted tunnel dials once a request inside passes
            connected(reusable, tunnel); // an idle connection to an address this decision vetted
            return;
        }
        Exchange current = exchange;
        upstream.dial(request, vetted, ctx.channel().eventLoop(), ctx.channel()).addListener((Future<Channel> f) -> {
            if (exchange != current || state != ExchangeState.CONNECTING) {
                if (f.isSuccess()) {
                    f.getNow().close();
                }
                return;
            }
            if (!f.isSuccess()) {
                fail(ErrorResponses.upstreamErrorFor(f.cause()), request.upstreamKey());
                return;
            }
            upstream.keep(f.getNow(), request, exchange.sharingKey());
            connected(f.getNow(), tunnel);
        });
    }

    private void connected(Channel ch, TunnelPlan tunnel) {
        exchange.connectedTo(UpstreamSlot.addressOf(ch));
        Exchange ending = exchange;
        if (request.mode() == RequestTarget.Mode.CONNECT) {
            move(ExchangeState.TUNNEL);
            handOver();
            tunnel.start(proxy, ctx.channel(), upstream.take(), ending, traffic.closeEventOf(ending)); // plain, SNI-checked or intercepted (docs/tls.md)
            return;
        }
        move(ExchangeState.FORWARDING);
        upstream.responses().expect(ch, request);
        ch.config().setAutoRead(true);
        ch.write(request.upstreamHead()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        body.sendTo(ch);
    }

    // ---- the response side reports ------------------------------------------------------------

    @Override
    public void responseStarted(int code) {
        status = code;
        move(ExchangeState.RESPONDING);
    }

    @Override
    public void responseEnded(boolean upstreamReusable, boolean closeClient) {
        exchange.closed(status, null, traffic.bytesRead(), traffic.bytesWritten());
        // An origin that answered before the body ended (an early 401 or 413) has a codec mid-body:
        // it is not reused, and the rest of the client's body is read and dropped.
        if (!upstreamReusable || !body.ended()) {
            upstream.close();
        } else {
            upstream.settle(UpstreamSlot.shareable(request, body));
        }
        boolean declinedUpgrade = request.mode() == RequestTarget.Mode.WEBSOCKET;
        endExchange();
        if (closeClient || proxy.isDraining()) {
            move(ExchangeState.CLOSED);
            Channels.closeOnFlush(ctx.channel());
            return;
        }
        move(ExchangeState.IDLE);
        headTimer.arm(ctx, this::onHeadTimeout);
        pipelined.replayNextTurn(ctx, msg -> channelRead(ctx, msg), () -> readOn(declinedUpgrade));
    }

    /** After the pipelined requests: back to reading the client, unless one of them started an exchange. */
    private void readOn(boolean declinedUpgrade) {
        if (declinedUpgrade && state == ExchangeState.IDLE) {
            // the decoder held what followed the upgrade request: it is HTTP after all
            ((StrictHttpRequestDecoder) ctx.pipeline().get(HandlerNames.HTTP_DECODER)).resumeDecoding();
        }
        if (state == ExchangeState.IDLE) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void responseFailed(ProxyStatusError error, String why) {
        if (state.isBeforeAResponse()) {
            fail(error, why);
        } else if (state == ExchangeState.RESPONDING) {
            cutOff(error);
        }
    }

    @Override
    public void switchToWebSocket(HttpResponse switching, ArrayDeque<ByteBuf> earlyUpstreamBytes) {
        move(ExchangeState.TUNNEL);
        handOver();
        Exchange ending = exchange;
        Tunnels.switchWebSocket(ctx.channel(), upstream.take(), switching, earlyUpstreamBytes, traffic.closeEventOf(ending));
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        if (body != null) {
            body.upstreamWritabilityChanged(writable);
        }
    }

    @Override
    public void upstreamClosed(Channel ch) {
        if (!upstream.holds(ch)) {
            return;
        }
        upstream.forget();
        if (state == ExchangeState.FORWARDING) {
            fail(ProxyStatusError.HTTP_RESPONSE_INCOMPLETE, "the upstream closed the connection before responding");
        } else if (state == ExchangeState.RESPONDING) {
            cutOff(ProxyStatusError.HTTP_RESPONSE_INCOMPLETE);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream.channel() != null && (state == ExchangeState.FORWARDING || state == ExchangeState.RESPONDING)) {
            upstream.channel().config().setAutoRead(ctx.channel().isWritable()); // interim and final responses alike
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- endings ----------------------------------------------------------------------------------

    /**
     * The request body did not decode (a broken chunk, a bare LF): the upstream must not see it end
     * as if complete, so it is closed unfinished; the client gets a 400 if nothing was answered yet.
     */
    private void bodyFailed() {
        if (state == ExchangeState.RESPONDING) {
            cutOff(ProxyStatusError.HTTP_REQUEST_ERROR);
            return;
        }
        refuse(Decision.deny(Reason.REQUEST_INVALID, "request:malformed-body"), false); // no lingering for a broken body
    }

    private void refuse(Decision refusal, boolean linger) {
        answer(ErrorResponses.forRefusal(refusal, exchange.asked(wantsJson)), ErrorResponses.errorFor(refusal).type(), linger);
    }

    private void fail(ProxyStatusError error, String why) {
        answer(ErrorResponses.forUpstream(error, why), error.type(), true);
    }

    /**
     * The one final answer of an exchange that ends in a refusal or failure; the connection closes
     * after it — lingering for the rest of the body when {@code linger} and the body is still coming.
     */
    private void answer(FullHttpResponse response, String error, boolean linger) {
        move(ExchangeState.ANSWERED);
        RequestBody rest = body; // still tells when the request ended while the answer goes out
        letGo();
        LingeringCloseHandler.answerThenClose(ctx, response, exchange, error, () -> !linger || rest.ended(), traffic);
    }

    /** The response had begun when the upstream failed: the client is cut off; its framing shows the rest did not come. */
    private void cutOff(ProxyStatusError error) {
        exchange.closed(status, error.type(), traffic.bytesRead(), traffic.bytesWritten());
        move(ExchangeState.CLOSED);
        letGo();
        Channels.closeOnFlush(ctx.channel());
    }

    private void endExchange() {
        upMark = traffic.bytesRead();
        downMark = traffic.bytesWritten();
        exchange = null;
        request = null;
        body = null;
        status = 0;
        wantsJson = false;
    }

    /** Lets go of what the exchange holds, before a tunnel or an answer takes the connection over. */
    private void handOver() {
        headTimer.cancel();
        if (body != null) {
            body.drop();
        }
        pipelined.releaseAll();
    }

    /** Hands over, and lets the upstream go too (an idle one may serve another client connection): the exchange ends here. */
    private void letGo() {
        handOver();
        upstream.release();
    }

    private void move(ExchangeState next) {
        if (!state.canMoveTo(next)) {
            // a bug: fail closed, and loudly
            IllegalStateException bug = new IllegalStateException("exchange " + connectionId + "-" + sequence + ": " + state + " -> " + next);
            log.error("closing a connection in an impossible state", bug);
            ctx.channel().close();
            throw bug;
        }
        state = next;
    }

    /** The head timer fired while waiting for a request: an idle connection closes quietly, a slow head is a 408. */
    private void onHeadTimeout(boolean sentSomething) {
        if (state != ExchangeState.IDLE) {
            return;
        }
        if (!sentSomething) {
            move(ExchangeState.CLOSED);
            ctx.channel().close();
            return;
        }
        exchange = new Exchange(proxy, connectionId + "-" + (++sequence), clientText, null, upMark, downMark);
        body = new RequestBody(ctx.channel(), false);
        Decision slow = Decision.deny(Reason.REQUEST_TIMEOUT, "limits.requestHeaderTimeout");
        exchange.decided(slow);
        refuse(slow, true);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DrainEvent.INSTANCE) {
            if (state == ExchangeState.IDLE) {
                ctx.channel().close(); // idle keep-alive connection: nothing to finish
            } // else the response in flight is the last on this connection (proxy.isDraining())
            return;
        }
        if (evt instanceof IdleStateEvent) {
            if (exchange != null) {
                exchange.closed(status, "idle_timeout", traffic.bytesRead(), traffic.bytesWritten());
            }
            ctx.channel().close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null && state != ExchangeState.TUNNEL && state != ExchangeState.ANSWERED) {
            exchange.closed(status, "client_closed", traffic.bytesRead(), traffic.bytesWritten());
        }
        state = ExchangeState.CLOSED;
        letGo();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        headTimer.cancel();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionErrors.logAndClose(log, ctx, cause, "client connection " + connectionId);
    }
}
