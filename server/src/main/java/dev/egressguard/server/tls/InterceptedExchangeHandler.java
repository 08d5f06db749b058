package dev.egressguard.server.tls;

import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Reason;
import dev.egressguard.core.tls.InterceptCheck;
import dev.egressguard.core.tls.InterceptEntry;
import dev.egressguard.server.approval.ApprovalRequest;
import dev.egressguard.server.approval.ApprovalResult;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests inside an intercepted tunnel, one at a time, after the client's TLS handshake with
 * the minted certificate. Each: exactly one {@code Host} naming the CONNECT authority (421 and
 * nothing dialled otherwise), the path read once, {@code TRACE} refused, the host's rules and the
 * approver when a rule asks ({@link InterceptCheck}); then the client's credential headers out and
 * the configured credential in, and the request goes over verified TLS to the addresses the
 * CONNECT's decision vetted — only once that handshake succeeded, so a bad certificate is a 502
 * with no request byte sent. One decision and one close event per request (mode
 * {@code intercept}); never a header value, a query or a body in them.
 */
final class InterceptedExchangeHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(InterceptedExchangeHandler.class);
    /** Requests that may wait while one is in flight; a client that sends more is closed. */
    private static final int MAX_PIPELINED = 16;

    /** Where the connection stands; every move is forward, so one value replaces a set of flags. */
    private enum State { HANDSHAKING, IDLE, CHECKING, CONNECTING, FORWARDING, ANSWERED, CLOSED }

    private final TunnelServices services;
    private final InterceptEntry entry;
    private final UpstreamTls upstreamTls;
    private final List<String> stripped;
    private ChannelHandlerContext ctx;
    private State state = State.HANDSHAKING;
    private Channel upstream;
    private boolean upstreamReusable;
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
        this.upstreamTls = upstreamTls;
        this.stripped = stripped;
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
                close("too many pipelined requests");
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.FORWARDING && upstream != null) {
            upstream.flush();
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
        bytesUp = 0;
        bytesDown = 0;
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
        if (v.asking() == null) {
            decided(v.decision(), head);
            return;
        }
        if (services.approvals() == null) { // a policy that asks always names an approver; fail closed all the same
            decided(Decision.deny(Reason.APPROVAL_ERROR, v.asking().id()), head);
            return;
        }
        TunnelServices.InnerExchange asking = inner;
        ApprovalRequest request = new ApprovalRequest(services.identity(), services.host(), services.port(), "intercept",
                v.asking().id(), head.method().name());
        services.approvals().ask(request, ctx.executor()).addListener((Future<ApprovalResult> f) -> {
            if (inner != asking || state != State.CHECKING) {
                return; // the connection closed meanwhile
            }
            ApprovalResult r = f.getNow();
            inner.approval(r.auditText());
            Decision d = r.isAllowed() ? v.decision() : r.denial(v.asking().id()).orElseThrow();
            decided(r.message().filter(m -> !r.isAllowed()).map(d::withMessage).orElse(d), head);
        });
    }

    private void decided(Decision decision, HttpRequest head) {
        inner.decided(decision);
        if (decision.isDenied()) {
            answer(services.refusal(decision, accept));
            return;
        }
        HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), head.uri(), head.headers().copy());
        services.stripHopByHop(out.headers());
        InterceptedRequests.replaceCredentials(out.headers(), stripped, entry.credential());
        pendingHead = out;
        if (upstream != null && upstream.isActive() && upstreamReusable) {
            send();
            return;
        }
        closeUpstream();
        state = State.CONNECTING;
        TunnelServices.InnerExchange connecting = inner;
        services.dial(ctx.channel().eventLoop(), () -> new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(TlsHandlerNames.UPSTREAM_TLS, upstreamTls.newHandler(ch.alloc(), services.host(), services.port()));
                ch.pipeline().addLast(TlsHandlerNames.UPSTREAM_CODEC, new HttpClientCodec(4096, 64 * 1024, 8192));
                ch.pipeline().addLast(TlsHandlerNames.UPSTREAM_RESPONSE, new OriginResponseHandler(InterceptedExchangeHandler.this));
            }
        }).addListener((Future<Channel> f) -> {
            if (inner != connecting || state != State.CONNECTING) {
                if (f.isSuccess()) {
                    f.getNow().close();
                }
                return;
            }
            if (!f.isSuccess()) {
                answer(services.connectFailure(f.cause()));
                return;
            }
            upstream = f.getNow();
            upstreamReusable = true;
            upstream.config().setAutoRead(true); // the handshake reads; the response is read as it comes
            upstream.pipeline().get(SslHandler.class).handshakeFuture().addListener(hs -> {
                if (inner != connecting || state != State.CONNECTING) {
                    return;
                }
                if (!hs.isSuccess()) {
                    closeUpstream();
                    boolean certificate = InterceptedRequests.isCertificateProblem(hs.cause());
                    answer(services.tlsFailure(certificate, certificate
                            ? "the certificate of " + services.host() + " did not verify" : "TLS with " + services.host() + " failed")); // no request byte was sent
                    return;
                }
                send();
            });
        });
    }

    /** The upstream is ready: the head and what of the body has arrived go out, and the rest as it comes. */
    private void send() {
        state = State.FORWARDING;
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
                close("a broken request body");
            } else {
                refuse(Decision.deny(Reason.REQUEST_INVALID, "request:malformed-body"));
            }
            return;
        }
        bytesUp += part.content().readableBytes();
        boolean last = part instanceof LastHttpContent;
        requestEnded = last;
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
        return ch == upstream && state == State.FORWARDING;
    }

    void responseHead(HttpResponse r) {
        status = r.status().code();
        if (status == 101) {
            close("the origin switched protocols (Upgrade is never passed on)");
            return;
        }
        interim = status >= 100 && status < 200;
        DefaultHttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status(), r.headers().copy());
        services.stripHopByHop(out.headers());
        boolean framed = HttpUtil.isContentLengthSet(r) || HttpUtil.isTransferEncodingChunked(r) || interim || status == 204 || status == 304
                || isHead;
        if (!interim) {
            upstreamReusable &= framed && HttpUtil.isKeepAlive(r);
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
        if (!last) {
            return;
        }
        if (interim) {
            interim = false;
            return;
        }
        responseEnded();
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
        if (ch != upstream) {
            return;
        }
        upstream = null;
        if (state == State.FORWARDING && status == 0) {
            answer(services.responseFailure("the origin closed the connection before responding"));
        } else if (state == State.FORWARDING) {
            close("the origin closed the connection mid-response"); // the client sees the response end short
        }
    }

    private void responseEnded() {
        inner.closed(status, null, bytesUp, bytesDown);
        inner = null;
        if (!upstreamReusable || !requestEnded) {
            closeUpstream();
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
        if (!decision.isDenied()) {
            throw new IllegalArgumentException("not a refusal: " + decision);
        }
        inner.decided(decision);
        answer(services.refusal(decision, accept));
    }

    /** The one answer of a refused or failed request; the connection closes once the request has ended. */
    private void answer(TunnelServices.Answer a) {
        state = State.ANSWERED;
        status = a.response().status().code();
        closeUpstream();
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

    private void close(String why) {
        log.debug("intercepted tunnel to {}:{} closed: {}", services.host(), services.port(), why);
        if (inner != null) {
            inner.closed(status, "http_protocol_error", bytesUp, bytesDown);
            inner = null;
        }
        state = State.CLOSED;
        closeUpstream();
        ctx.close();
    }

    private void closeUpstream() {
        Channel ch = upstream;
        upstream = null;
        if (ch != null) {
            ch.close();
        }
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
                Reason reason = InterceptedRequests.clientHandshakeFailure(hs.cause());
                log.debug("client handshake for {}:{} failed: {}", services.host(), services.port(), hs.cause().toString());
                if (reason == Reason.TLS_CLIENT_REJECTED_CERTIFICATE) {
                    log.warn("a client rejected the interception certificate for {}:{} ({}); if it cannot trust the proxy's CA"
                            + " or pins certificates, add the host to tls.passthrough (docs/tls.md)", services.host(), services.port(), reason.code());
                }
                services.tlsRefused(Decision.deny(reason, "tls:client-handshake"));
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
            if (inner != null) {
                inner.closed(status, "idle_timeout", bytesUp, bytesDown);
                inner = null;
            }
            close("idle");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null && state == State.FORWARDING) {
            upstream.config().setAutoRead(ctx.channel().isWritable());
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
        closeUpstream();
        releasePending();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("intercepted tunnel to {}:{} failed: {}", services.host(), services.port(), cause.toString());
        ctx.close();
    }
}
