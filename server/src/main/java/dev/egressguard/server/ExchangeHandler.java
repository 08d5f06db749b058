package dev.egressguard.server;

import dev.egressguard.config.PolicyFile;
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
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection's exchanges, one request at a time, each through the same steps:
 * {@link RequestAdmission} (draining, audit, rate, credentials), {@link RequestValidation} (the
 * request's shape, its target from the request line), {@link DestinationDecider} (host rules, the
 * proxy's own DNS, every answer), the {@link UpstreamConnector} (vetted addresses only), then
 * forwarding — the request body by {@link RequestBody}, the response by the
 * {@link UpstreamResponseHandler} — or a {@link Tunnels tunnel}. Every refusal is answered by
 * {@link ErrorResponses} and closed by {@link LingeringCloseHandler}. Where the exchange stands is
 * one {@link ExchangeState}.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter implements ResponseEvents {
    private static final Logger log = LoggerFactory.getLogger(ExchangeHandler.class);

    /** An upstream connection kept for the next request to the same destination. */
    private record Upstream(Channel channel, String key, InetAddress address, UpstreamResponseHandler responses) {}

    private final ProxyContext proxy;
    private final TrafficCounter traffic;
    private final DestinationDecider decider;
    private final String connectionId;
    private ChannelHandlerContext ctx;
    private String clientText = "unknown";
    private IpAddress clientIp;
    private int sequence;
    /** Bytes read and written when the last exchange ended: each exchange counts its own head too. */
    private long upMark;
    private long downMark;
    private ScheduledFuture<?> headTimeout;

    private ExchangeState state = ExchangeState.IDLE;
    private Exchange exchange;
    private ValidRequest request;
    private RequestBody body;
    private int status;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private Upstream upstream;

    ExchangeHandler(ProxyContext proxy, TrafficCounter traffic) {
        this.proxy = proxy;
        this.traffic = traffic;
        this.decider = new DestinationDecider(proxy);
        this.connectionId = proxy.nextConnectionId();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clientText = ClientAddress.text(ctx.channel()); // known now, PROXY protocol included
        clientIp = ClientAddress.ipOf(ctx.channel());
        armHeadTimeout();
        ctx.fireChannelActive();
    }

    // ---- requests in ----------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == ExchangeState.IDLE) {
            if (msg instanceof HttpRequest) {
                begin((HttpRequest) msg);
            }
            ReferenceCountUtil.release(msg); // the head holds no buffer; stray content after an exchange is dropped
        } else if (body != null && !body.ended() && msg instanceof HttpContent) {
            HttpContent part = (HttpContent) msg;
            if (part.decoderResult().isFailure() && isInFlight()) {
                part.release();
                bodyFailed();
            } else {
                body.add(part);
            }
        } else if (isInFlight()) {
            pipelined.add(msg); // the next request arrived early: it waits for this exchange to end
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
        cancelHeadTimeout();
        ctx.channel().config().setAutoRead(false);
        exchange = new Exchange(proxy, connectionId + "-" + (++sequence), clientText, head.method().name(), upMark, downMark);
        body = new RequestBody(ctx.channel(), head instanceof LastHttpContent && head.decoderResult().isSuccess());
        Decision refused = RequestAdmission.refusal(proxy, clientIp, head).orElse(null);
        if (refused != null) {
            refuse(refused);
            return;
        }
        PolicyFile policy = proxy.policy();
        if (!RequestAdmission.requiresCredentials(policy)) {
            move(ExchangeState.DECIDING);
            validate(head);
            return;
        }
        move(ExchangeState.ADMITTING);
        Exchange current = exchange;
        Future<ProxyAuthenticator.Outcome> auth = RequestAdmission.authenticate(proxy, policy, ctx.executor(), head);
        auth.addListener(f -> {
            if (exchange != current || state != ExchangeState.ADMITTING) {
                return; // the connection closed (or the exchange ended) meanwhile
            }
            ProxyAuthenticator.Outcome o = auth.getNow();
            if (!o.ok()) {
                refuse(Decision.deny(o.refusal(), "auth.users"));
                return;
            }
            exchange.user(o.user());
            move(ExchangeState.DECIDING);
            validate(head);
        });
    }

    private void validate(HttpRequest head) {
        RequestValidation.Outcome v = RequestValidation.validate(head);
        if (v.refusal() != null) {
            refuse(v.refusal());
            return;
        }
        request = v.valid();
        exchange.target(request.mode(), request.target().host(), request.target().port());
        if (request.mode() == RequestTarget.Mode.CONNECT) {
            body.drop(); // a CONNECT has no body: Netty marks its end with an empty last content
        }
        if (request.mode() != RequestTarget.Mode.FORWARD && !admitTunnel()) {
            return; // refused before any decision or DNS: one decision event, limit.tunnels
        }
        decide();
    }

    /** Takes a tunnel slot for this CONNECT or WebSocket exchange (given back when it closes), or refuses it. */
    private boolean admitTunnel() {
        if (!proxy.limits().admitTunnel()) {
            refuse(Decision.deny(Reason.LIMIT_TUNNELS, "limits.maxTunnels"));
            return false;
        }
        proxy.metrics().tunnelOpened();
        exchange.onClose(() -> {
            proxy.limits().releaseTunnel();
            proxy.metrics().tunnelClosed();
        });
        return true;
    }

    // ---- the decision and the upstream ----------------------------------------------------------

    private void decide() {
        ProxyContext.Snapshot snapshot = proxy.snapshot();
        exchange.policyGeneration(snapshot.generation());
        Exchange current = exchange;
        decider.decide(snapshot.file().policy(), request.target().host(), request.target().port(), ctx.channel().eventLoop())
                .addListener((Future<DestinationDecider.Outcome> f) -> {
                    if (exchange != current || state != ExchangeState.DECIDING) {
                        return;
                    }
                    DestinationDecider.Outcome o = f.getNow();
                    if (!o.answers().isEmpty()) {
                        exchange.addresses(o.answers());
                    } else if (!o.dialable().isEmpty()) {
                        exchange.addresses(o.dialable());
                    }
                    exchange.decided(o.decision());
                    if (o.dialable().isEmpty()) {
                        answer(ErrorResponses.forDecision(o.decision()), ErrorResponses.errorFor(o.decision()).type());
                        return;
                    }
                    connect(o.dialable());
                });
    }

    private void connect(List<InetAddress> vetted) {
        move(ExchangeState.CONNECTING);
        if (request.mode() == RequestTarget.Mode.FORWARD && upstream != null && upstream.channel().isActive()
                && upstream.key().equals(request.upstreamKey()) && vetted.contains(upstream.address())) {
            connected(upstream.channel()); // an idle connection to an address this decision vetted
            return;
        }
        closeUpstream();
        boolean http = request.mode() != RequestTarget.Mode.CONNECT;
        Exchange current = exchange;
        long dialStart = System.nanoTime();
        proxy.connector().connect(ctx.channel().eventLoop(), vetted, request.target().port(), () -> http
                        ? UpstreamInitializer.forHttp(new UpstreamResponseHandler(ctx.channel(), proxy, this)) // one per dial attempt
                        : UpstreamInitializer.forTunnel())
                .addListener((Future<Channel> f) -> {
                    proxy.metrics().connectLatency(System.nanoTime() - dialStart);
                    if (exchange != current || state != ExchangeState.CONNECTING) {
                        if (f.isSuccess()) {
                            f.getNow().close();
                        }
                        return;
                    }
                    if (!f.isSuccess()) {
                        ProxyStatusError error = ErrorResponses.upstreamErrorFor(f.cause());
                        if (f.cause() instanceof SecurityException) {
                            log.error("dial refused by the dial guard: {}", f.cause().getMessage());
                        }
                        answer(ErrorResponses.forUpstream(error, request.upstreamKey()), error.type());
                        return;
                    }
                    Channel ch = f.getNow();
                    UpstreamResponseHandler responses = http ? (UpstreamResponseHandler) ch.pipeline().get(HandlerNames.UPSTREAM_RESPONSE) : null;
                    upstream = new Upstream(ch, request.upstreamKey(), ((InetSocketAddress) ch.remoteAddress()).getAddress(), responses);
                    connected(ch);
                });
    }

    private void connected(Channel ch) {
        InetAddress address = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        exchange.connectedTo(address);
        if (request.mode() == RequestTarget.Mode.CONNECT) {
            move(ExchangeState.TUNNEL);
            Upstream tunnelled = upstream;
            upstream = null; // the tunnel owns it now
            handOver();
            Exchange ending = exchange;
            Tunnels.startConnectTunnel(ctx.channel(), tunnelled.channel(), code -> ending.closed(code, null, traffic.bytesRead(), traffic.bytesWritten()));
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
            closeUpstream();
        }
        boolean declinedUpgrade = request.mode() == RequestTarget.Mode.WEBSOCKET;
        endExchange();
        if (closeClient || proxy.isDraining()) {
            move(ExchangeState.CLOSED);
            Channels.closeOnFlush(ctx.channel());
            return;
        }
        move(ExchangeState.IDLE);
        armHeadTimeout();
        // The next request waits for this read batch to end: an upstream that appended bytes after the
        // response must be seen doing so (and closed) before that request could reuse it.
        List<Object> early = new ArrayList<>(pipelined);
        pipelined.clear();
        ctx.executor().execute(() -> nextRequest(early, declinedUpgrade));
    }

    private void nextRequest(List<Object> early, boolean declinedUpgrade) {
        if (!ctx.channel().isActive()) {
            early.forEach(ReferenceCountUtil::release);
            return;
        }
        for (Object msg : early) {
            channelRead(ctx, msg);
        }
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
            answer(ErrorResponses.forUpstream(error, why), error.type());
        } else if (state == ExchangeState.RESPONDING) {
            cutOff(error);
        }
    }

    @Override
    public void switchToWebSocket(HttpResponse switching, ArrayDeque<ByteBuf> earlyUpstreamBytes) {
        move(ExchangeState.TUNNEL);
        Channel ch = upstream.channel();
        upstream = null; // the tunnel owns it now
        handOver();
        Exchange ending = exchange;
        Tunnels.switchWebSocket(ctx.channel(), ch, switching, earlyUpstreamBytes,
                code -> ending.closed(code, null, traffic.bytesRead(), traffic.bytesWritten()));
    }

    @Override
    public void upstreamWritabilityChanged(boolean writable) {
        if (body != null) {
            body.upstreamWritabilityChanged(writable);
        }
    }

    @Override
    public void upstreamClosed(Channel ch) {
        if (upstream == null || ch != upstream.channel()) {
            return;
        }
        upstream = null;
        if (state == ExchangeState.FORWARDING) {
            answer(ErrorResponses.forUpstream(ProxyStatusError.HTTP_RESPONSE_INCOMPLETE, "the upstream closed the connection before responding"),
                    ProxyStatusError.HTTP_RESPONSE_INCOMPLETE.type());
        } else if (state == ExchangeState.RESPONDING) {
            cutOff(ProxyStatusError.HTTP_RESPONSE_INCOMPLETE);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null && (state == ExchangeState.FORWARDING || state == ExchangeState.RESPONDING)) {
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
        closeUpstream();
        if (state == ExchangeState.RESPONDING) {
            cutOff(ProxyStatusError.HTTP_REQUEST_ERROR);
            return;
        }
        Decision malformed = Decision.deny(Reason.REQUEST_INVALID, "request:malformed-body");
        answer(ErrorResponses.forDecision(malformed), ErrorResponses.errorFor(malformed).type(), false);
    }

    private void refuse(Decision refusal) {
        exchange.decided(refusal);
        answer(ErrorResponses.forDecision(refusal), ErrorResponses.errorFor(refusal).type());
    }

    private void answer(FullHttpResponse response, String error) {
        answer(response, error, true);
    }

    /**
     * The one final answer of an exchange that ends in a refusal or failure; the connection closes
     * after it — lingering for the rest of the body when {@code linger} and the body is still coming.
     */
    private void answer(FullHttpResponse response, String error, boolean linger) {
        move(ExchangeState.ANSWERED);
        int code = response.status().code();
        Exchange ending = exchange;
        RequestBody rest = body; // still tells when the request ended while the answer goes out
        handOver();
        closeUpstream();
        ctx.writeAndFlush(response).addListener(f -> {
            ending.closed(code, error, traffic.bytesRead(), traffic.bytesWritten());
            LingeringCloseHandler.closeAfterAnswer(ctx, !linger || rest.ended() || !f.isSuccess(), traffic);
        });
    }

    /** The response had begun when the upstream failed: the client is cut off; its framing shows the rest did not come. */
    private void cutOff(ProxyStatusError error) {
        exchange.closed(status, error.type(), traffic.bytesRead(), traffic.bytesWritten());
        move(ExchangeState.CLOSED);
        handOver();
        closeUpstream();
        Channels.closeOnFlush(ctx.channel());
    }

    private void endExchange() {
        upMark = traffic.bytesRead();
        downMark = traffic.bytesWritten();
        exchange = null;
        request = null;
        body = null;
        status = 0;
    }

    /** Lets go of what the exchange holds, before a tunnel or an answer takes the connection over. */
    private void handOver() {
        cancelHeadTimeout();
        if (body != null) {
            body.drop();
        }
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
    }

    private void closeUpstream() {
        if (upstream != null) {
            Channel ch = upstream.channel();
            upstream = null;
            ch.close();
        }
    }

    private boolean isInFlight() {
        return state != ExchangeState.IDLE && state != ExchangeState.ANSWERED && state != ExchangeState.TUNNEL
                && state != ExchangeState.CLOSED;
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

    private void armHeadTimeout() {
        cancelHeadTimeout();
        long millis = proxy.policy().limits().requestHeaderTimeout().toMillis();
        long readAtArm = traffic.bytesRead();
        headTimeout = ctx.executor().schedule(() -> onHeadTimeout(readAtArm), millis, TimeUnit.MILLISECONDS);
    }

    private void onHeadTimeout(long readAtArm) {
        if (state != ExchangeState.IDLE || !ctx.channel().isActive()) {
            return;
        }
        if (traffic.bytesRead() == readAtArm) {
            move(ExchangeState.CLOSED);
            ctx.channel().close(); // an idle keep-alive connection: close quietly
            return;
        }
        exchange = new Exchange(proxy, connectionId + "-" + (++sequence), clientText, null, upMark, downMark);
        body = new RequestBody(ctx.channel(), false);
        refuse(Decision.deny(Reason.REQUEST_TIMEOUT, "limits.requestHeaderTimeout"));
    }

    private void cancelHeadTimeout() {
        if (headTimeout != null) {
            headTimeout.cancel(false);
            headTimeout = null;
        }
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
        handOver();
        closeUpstream();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelHeadTimeout();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client connection {} failed: {}", connectionId, cause.toString());
        } else {
            log.warn("client connection {} failed: {}", connectionId, cause.toString());
        }
        ctx.close();
    }
}
