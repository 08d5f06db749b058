package dev.egressguard.server.tls;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.core.tls.InterceptCheck;
import dev.egressguard.core.tls.InterceptEntry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests inside an intercepted tunnel, one at a time, after the client's TLS handshake: one
 * {@code Host} naming the CONNECT authority (421, nothing dialled), then {@link InterceptCheck} and
 * {@link RuleApprovals}; the credentials swapped; the request to the {@link OriginConnection} once
 * its TLS is verified (a bad certificate: 502, no request byte sent). One decision and one close
 * event per request (mode {@code intercept}); never a header value, a query or a body in them.
 */
final class InterceptedExchangeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(InterceptedExchangeHandler.class);
    /** Requests that may wait while one is in flight; a client that sends more is closed. */
    private static final int MAX_PIPELINED = 16;

    /** Where the connection stands; every move is forward, so one value replaces a set of flags. */
    private enum State { HANDSHAKING, IDLE, CHECKING, CONNECTING, FORWARDING, ANSWERED, CLOSED }

    private final TunnelServices services;
    private final InterceptEntry entry;
    private final List<String> stripped;
    private ChannelHandlerContext ctx;
    private State state = State.HANDSHAKING;
    private final OriginConnection origin;
    private TunnelServices.InnerExchange inner;
    private String accept;
    private HttpRequest pendingHead;
    private final ArrayDeque<HttpContent> pendingBody = new ArrayDeque<>();
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private boolean requestEnded;
    private boolean sentLast;
    private boolean isHead;
    private boolean keepAlive;
    private boolean interim;
    private boolean closeAfter;
    private int status;
    private long bytesUp;
    private long bytesDown;

    InterceptedExchangeHandler(TunnelServices services, InterceptEntry entry, UpstreamTls upstreamTls, List<String> stripped) {
        this.services = services;
        this.entry = entry;
        this.stripped = stripped;
        this.origin = new OriginConnection(services, upstreamTls);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---- the client side ------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.IDLE && msg instanceof HttpRequest) {
            HttpRequest head = (HttpRequest) msg;
            boolean complete = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg); // the decoder's head holds no body bytes
            begin(head, complete);
        } else if (inner != null && !requestEnded && msg instanceof HttpContent) {
            body((HttpContent) msg);
        } else if (state == State.ANSWERED && msg instanceof HttpContent) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg); // the rest of a refused request's body
            if (last) {
                requestEnded = true;
                closeWhenAnswered();
            }
        } else if (inner != null && pipelined.size() < MAX_PIPELINED) {
            pipelined.add(msg); // the next request arrived early: it waits for this one
        } else {
            ReferenceCountUtil.release(msg);
            if (inner != null) {
                close("http_request_error"); // too many pipelined requests
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.FORWARDING && origin.channel() != null) {
            origin.channel().flush();
        }
        ctx.fireChannelReadComplete();
    }

    private void begin(HttpRequest head, boolean complete) {
        ctx.channel().config().setAutoRead(false);
        state = State.CHECKING;
        inner = services.begin(head.method().name());
        accept = head.headers().get(HttpHeaderNames.ACCEPT);
        requestEnded = complete;
        sentLast = false;
        isHead = head.method().name().equals("HEAD");
        keepAlive = HttpUtil.isKeepAlive(head);
        closeAfter = head.headers().contains(HttpHeaderNames.UPGRADE); // never passed on; the decoder holds what follows it
        status = 0;
        bytesUp = bytesDown = 0;
        interim = false;
        if (head.decoderResult().isFailure()) {
            refuse(Decision.deny(Reason.REQUEST_INVALID, "request:malformed"));
            return;
        }
        if (!InterceptedRequests.hostMatches(head, services.host(), services.port())) {
            refuse(Decision.deny(Reason.HTTP_HOST_MISMATCH, "tls:host")); // 421: nothing is dialled
            return;
        }
        InterceptCheck.Verdict v = InterceptCheck.decide(entry, head.method().name(), head.uri(), services.mode());
        if (v.path() != null) {
            inner.path(v.path());
        }
        TunnelServices.InnerExchange asking = inner;
        RuleApprovals.decide(services, v, head.method().name(), inner, ctx.executor()).addListener((Future<Decision> f) -> {
            if (inner == asking && state == State.CHECKING) { // else the connection closed meanwhile
                decided(f.getNow(), head);
            }
        });
    }

    private void decided(Decision decision, HttpRequest head) {
        inner.decided(decision);
        if (decision.isDenied()) {
            answer(services.refusal(decision, accept));
            return;
        }
        pendingHead = InterceptedRequests.forOrigin(head, services, stripped, entry.credential());
        if (origin.isReady()) {
            send();
            return;
        }
        state = State.CONNECTING;
        TunnelServices.InnerExchange connecting = inner;
        origin.open(ctx.channel().eventLoop(), this, () -> inner == connecting && state == State.CONNECTING, this::send, this::answer);
    }

    /** The upstream is ready: the head and what of the body has arrived go out, and the rest as it comes. */
    private void send() {
        state = State.FORWARDING;
        Channel upstream = origin.channel();
        upstream.write(pendingHead).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        pendingHead = null;
        while (!pendingBody.isEmpty()) {
            upstream.write(pendingBody.poll()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        if (requestEnded && !sentLast) {
            upstream.write(LastHttpContent.EMPTY_LAST_CONTENT);
            sentLast = true;
        }
        upstream.flush();
        if (!requestEnded) {
            ctx.channel().config().setAutoRead(upstream.isWritable());
        }
    }

    private void body(HttpContent part) {
        if (part.decoderResult().isFailure()) {
            part.release();
            if (state == State.FORWARDING && status != 0) {
                close("http_request_error"); // a broken request body
            } else {
                refuse(Decision.deny(Reason.REQUEST_INVALID, "request:malformed-body"));
            }
            return;
        }
        bytesUp += part.content().readableBytes();
        boolean last = part instanceof LastHttpContent;
        requestEnded = last;
        Channel upstream = origin.channel();
        if (state == State.FORWARDING && upstream != null) {
            upstream.write(part).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            sentLast |= last;
            if (!upstream.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        } else {
            pendingBody.add(part);
            sentLast |= last;
        }
    }

    // ---- the origin's side reports ----------------------------------------------------------------

    boolean isResponding(Channel ch) {
        return origin.holds(ch) && state == State.FORWARDING;
    }

    void responseHead(HttpResponse r) {
        status = r.status().code();
        if (status == 101) {
            close("http_protocol_error"); // a 101: Upgrade is never passed on
            return;
        }
        interim = status >= 100 && status < 200;
        DefaultHttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status(), r.headers().copy());
        services.stripHopByHop(out.headers());
        boolean framed = InterceptedRequests.isFramed(r, isHead);
        if (!interim) {
            if (!framed || !HttpUtil.isKeepAlive(r)) {
                origin.notReusable();
            }
            closeAfter |= !framed || !keepAlive || services.isDraining();
            if (closeAfter) {
                out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
        }
        ctx.write(out).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    void responseContent(HttpContent part) {
        HttpContent c = part instanceof HttpResponse ? new DefaultLastHttpContent(part.content()) : part;
        if (state != State.FORWARDING) {
            c.release();
            return;
        }
        bytesDown += c.content().readableBytes();
        boolean last = c instanceof LastHttpContent;
        ctx.write(c).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (last && !interim) {
            responseEnded();
        }
        interim &= !last; // an interim response ends with its own last content
    }

    void flushClient() {
        ctx.flush();
    }

    void upstreamWritabilityChanged(boolean writable) {
        if (state == State.FORWARDING && !requestEnded) {
            ctx.channel().config().setAutoRead(writable);
        }
    }

    void upstreamClosed(Channel ch) {
        if (!origin.holds(ch)) {
            return;
        }
        origin.forget();
        if (state == State.FORWARDING && status == 0) {
            answer(services.responseFailure("the origin closed the connection before responding"));
        } else if (state == State.FORWARDING) {
            close("http_response_incomplete"); // the client sees the response end short
        }
    }

    private void responseEnded() {
        inner.closed(status, null, bytesUp, bytesDown);
        inner = null;
        if (!requestEnded || !origin.isReady()) {
            origin.close();
        }
        if (closeAfter || !requestEnded || services.isDraining()) {
            state = State.CLOSED;
            ctx.flush();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.IDLE;
        List<Object> early = List.copyOf(pipelined);
        pipelined.clear();
        early.forEach(msg -> channelRead(ctx, msg)); // in order; what still cannot be taken waits again
        if (state == State.IDLE) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    // ---- endings ----------------------------------------------------------------------------------

    private void refuse(Decision decision) {
        inner.decided(decision);
        answer(services.refusal(decision, accept));
    }

    /** The one answer of a refused or failed request; the connection closes once the request has ended. */
    private void answer(TunnelServices.Answer a) {
        state = State.ANSWERED;
        status = a.response().status().code();
        origin.close();
        releasePending();
        TunnelServices.InnerExchange answered = inner;
        inner = null;
        ctx.writeAndFlush(a.response()).addListener(f -> {
            answered.closed(status, a.error(), bytesUp, bytesDown);
            closeWhenAnswered();
        });
        if (!requestEnded) {
            ctx.channel().config().setAutoRead(true); // read the rest of the body, and drop it
        }
    }

    private void closeWhenAnswered() {
        if (requestEnded && state == State.ANSWERED) {
            state = State.CLOSED;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Closes the tunnel; the request in flight, if any, ends with {@code error}. */
    private void close(String error) {
        log.debug("intercepted tunnel to {}:{} closed: {}", services.host(), services.port(), error);
        if (inner != null) {
            inner.closed(status, error, bytesUp, bytesDown);
            inner = null;
        }
        state = State.CLOSED;
        origin.close();
        ctx.close();
    }

    private void releasePending() {
        pendingHead = null;
        pendingBody.forEach(ReferenceCountUtil::release);
        pendingBody.clear();
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent) {
            SslHandshakeCompletionEvent hs = (SslHandshakeCompletionEvent) evt;
            if (hs.isSuccess()) {
                state = State.IDLE;
            } else if (state == State.HANDSHAKING) {
                state = State.CLOSED;
                services.tlsRefused(InterceptedRequests.clientHandshakeRefusal(services, hs.cause()));
                ctx.close();
            }
            return;
        }
        if (services.isDrainEvent(evt)) {
            if (state == State.IDLE || state == State.HANDSHAKING) {
                close("draining");
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            close("idle_timeout");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (origin.channel() != null && state == State.FORWARDING) {
            origin.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (inner != null && state != State.ANSWERED) {
            inner.closed(status, "client_closed", bytesUp, bytesDown);
        }
        inner = null;
        state = State.CLOSED;
        origin.close();
        releasePending();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("intercepted tunnel to {}:{} failed: {}", services.host(), services.port(), cause.toString());
        ctx.close();
    }
}
