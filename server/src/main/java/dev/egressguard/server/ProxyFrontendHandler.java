package dev.egressguard.server;

import dev.egressguard.config.PolicyFile;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Destination;
import dev.egressguard.core.policy.EnforcementMode;
import dev.egressguard.core.policy.HostCheck;
import dev.egressguard.core.policy.Policy;
import dev.egressguard.core.policy.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's proxy logic, one request at a time: read the target from the request
 * line, decide it (host rules, then the proxy's own resolution, then every answer), connect only
 * to a vetted address, forward (HTTP), or switch to a raw relay (CONNECT, WebSocket after the
 * upstream's 101). Everything refused gets a clear response from {@link ErrorResponses}; every
 * request gets a decision and a close audit event.
 */
final class ProxyFrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyFrontendHandler.class);
    private static final int MAX_UPSTREAM_HEADER_BYTES = 64 * 1024;
    private static final long REFUSED_GRACE_MILLIS = 2_000;
    /** After a refusal, the rest of a request body is read and dropped this long at most, so the client reads the answer. */
    static final long LINGER_MILLIS = 5_000;
    static final long LINGER_MAX_BYTES = 64L * 1024 * 1024;
    /** More interim (1xx) responses than this to one request is an upstream fault, not a protocol. */
    static final int MAX_INTERIM_RESPONSES = 16;

    private final ProxyContext proxy;
    private final TrafficCounter traffic;
    private final String connectionId;
    private ChannelHandlerContext ctx;
    private String clientText;
    private int sequence;
    private long upMark;
    private long downMark;
    private ScheduledFuture<?> headTimeout;
    private IpAddress clientIp;

    // the request in flight
    private Exchange exchange;
    private RequestTarget target;
    private HttpRequest upstreamRequest;
    private boolean requestComplete;
    private boolean upstreamReady;
    private boolean responseStarted;
    private boolean interimResponse;
    private boolean clientKeepAlive;
    /** The client spoke HTTP/1.0: no interim responses, no chunked framing, no trailers. */
    private boolean clientHttp10;
    private int interimResponses;
    private String webSocketKey;
    private boolean closeAfterResponse;
    private boolean upstreamReusable;
    /** The exchange got its final answer (an error response): nothing more may happen for it. */
    private boolean answered;
    /** After an error answer: reading and dropping the rest of the request before closing. */
    private long lingerFromByte = -1;
    private int status;
    private HttpResponse switchingResponse;
    private final ArrayDeque<HttpContent> bodyBacklog = new ArrayDeque<>();
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private final ArrayDeque<ByteBuf> rawFromUpstream = new ArrayDeque<>();

    // the upstream connection, reused across requests to the same destination
    private Channel upstream;
    private String upstreamKey;
    private InetAddress upstreamAddress;

    ProxyFrontendHandler(ProxyContext proxy, TrafficCounter traffic) {
        this.proxy = proxy;
        this.traffic = traffic;
        this.connectionId = proxy.nextConnectionId();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.clientText = "unknown";
        armHeadTimeout();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clientText = ClientAddress.text(ctx.channel()); // known now, PROXY protocol included
        clientIp = ClientAddress.ipOf(ctx.channel());
        if (ctx.channel().attr(ClientAddress.REFUSED).get() != null) {
            // Over a limit: it gets a short wait for a request to answer, not the full head timeout,
            // so that a connection flood cannot hold descriptors for long.
            ctx.executor().schedule(() -> {
                if (exchange == null) {
                    ctx.channel().close();
                }
            }, REFUSED_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelActive();
    }

    // ---- client side ------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        handleMessage(msg);
    }

    /** A read batch from the client ended: what it produced for the upstream goes out now, in one flush. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upstream != null && upstreamReady) {
            upstream.flush();
        }
        ctx.fireChannelReadComplete();
    }

    private void handleMessage(Object msg) {
        if (!ctx.channel().isActive() || answered) {
            if (answered && msg instanceof LastHttpContent) {
                requestComplete = true;
            }
            ReferenceCountUtil.release(msg); // refused, closed, or already answered: nothing more is read from it
            if (lingerFromByte >= 0 && (requestComplete || msg instanceof HttpRequest
                    || traffic.bytesRead() - lingerFromByte > LINGER_MAX_BYTES)) {
                ctx.channel().close(); // the body ended (or the next request began, or too much came): done
            }
            return;
        }
        if (exchange != null && requestComplete) {
            pipelined.add(msg); // the next request arrived early; it waits for this response
            return;
        }
        if (exchange != null) {
            if (msg instanceof HttpContent) {
                handleBody((HttpContent) msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof HttpRequest) {
            handleRequest((HttpRequest) msg);
        }
        ReferenceCountUtil.release(msg); // stray content after a refusal, or the (non-counted) head
    }

    private void handleRequest(HttpRequest req) {
        cancelHeadTimeout();
        ctx.channel().config().setAutoRead(false);
        sequence++;
        exchange = new Exchange(proxy, connectionId + "-" + sequence, clientText, req.method().name(), upMark, downMark);
        requestComplete = req instanceof LastHttpContent && req.decoderResult().isSuccess();
        Reason refusedAtAdmission = ctx.channel().attr(ClientAddress.REFUSED).get();
        if (refusedAtAdmission != null) {
            refuse(refusedAtAdmission, "limits");
            return;
        }
        if (proxy.isDraining()) {
            refuse(Reason.PROXY_DRAINING, "shutdown");
            return;
        }
        if (!proxy.audit().hasCapacity()) {
            refuse(Reason.AUDIT_BACKLOG, "audit");
            return;
        }
        if (!proxy.rate().tryAcquire(clientIp, System.nanoTime())) {
            refuse(Reason.LIMIT_RATE, "limits.requestsPerSecondPerClient");
            return;
        }
        if (req.decoderResult().isFailure()) {
            refuseMalformed(req.decoderResult().cause()); // before authentication: a 431 is a 431 whatever its credentials
            return;
        }
        PolicyFile file = proxy.policy();
        if (!file.access().requiresAuth()) {
            continueRequest(req);
            return;
        }
        Exchange current = exchange;
        Future<ProxyAuthenticator.Outcome> auth = proxy.authenticator().authenticate(ctx.executor(),
                req.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION), file.access().users());
        auth.addListener(f -> {
            if (!ctx.channel().isActive() || exchange != current || answered) {
                return;
            }
            ProxyAuthenticator.Outcome o = auth.getNow();
            if (!o.ok()) {
                refuse(o.refusal(), "auth.users");
                return;
            }
            exchange.user(o.user());
            continueRequest(req);
        });
    }

    /** The request past admission, rate and authentication: its shape, its target, its decision. */
    private void continueRequest(HttpRequest req) {
        RequestTarget.Parsed parsed = RequestTarget.parse(req);
        if (parsed.refusal() != null) {
            refuse(Reason.REQUEST_INVALID, parsed.refusal().rule());
            return;
        }
        target = parsed.target();
        exchange.target(target.mode(), target.host(), target.port());
        RequestTarget.Refusal hostProblem = target.checkHostHeader(req).orElse(null);
        if (hostProblem != null) {
            refuse(Reason.REQUEST_INVALID, hostProblem.rule());
            return;
        }
        if (target.mode() == RequestTarget.Mode.WEBSOCKET) {
            webSocketKey = WebSocketHandshake.clientKey(req).orElse(null);
            if (webSocketKey == null) {
                refuse(Reason.REQUEST_INVALID, "request:websocket-key");
                return;
            }
        }
        clientKeepAlive = HttpUtil.isKeepAlive(req);
        clientHttp10 = req.protocolVersion().minorVersion() == 0;
        if (target.mode() != RequestTarget.Mode.CONNECT) {
            upstreamRequest = rewrite(req);
        }
        if (target.mode() != RequestTarget.Mode.FORWARD && !admitTunnel()) {
            return; // refused before any decision or DNS: one decision event, limit.tunnels
        }
        decide();
    }

    private void handleBody(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            failRequestBody();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
            ctx.channel().config().setAutoRead(false);
        }
        if (target != null && target.mode() == RequestTarget.Mode.CONNECT) {
            content.release(); // a CONNECT has no body; Netty marks its end with an empty last content
            return;
        }
        if (last) {
            TrailerFields.strip(((LastHttpContent) content).trailingHeaders());
        }
        if (upstreamReady && upstream != null) {
            upstream.write(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE); // flushed when this read completes
            if (!upstream.isWritable()) {
                upstream.flush();
                if (!upstream.isWritable()) {
                    ctx.channel().config().setAutoRead(false); // on again when the upstream drains
                }
            }
        } else {
            bodyBacklog.add(content);
        }
    }

    /**
     * The request as it goes upstream: origin-form, hop-by-hop and Proxy-* headers gone, Host set.
     * The decoder's head holds no buffer, so it is rewritten in place rather than copied.
     */
    private HttpRequest rewrite(HttpRequest req) {
        req.setProtocolVersion(HttpVersion.HTTP_1_1);
        req.setUri(target.originForm());
        HopByHopHeaders.strip(req.headers(), target.mode() == RequestTarget.Mode.WEBSOCKET);
        if (!req.headers().contains(HttpHeaderNames.HOST)) {
            req.headers().set(HttpHeaderNames.HOST, target.hostHeader());
        }
        return req;
    }

    // ---- the decision -----------------------------------------------------------------------

    private void decide() {
        ProxyContext.Snapshot snapshot = proxy.snapshot();
        exchange.policyGeneration(snapshot.generation());
        Policy policy = snapshot.file().policy();
        boolean report = policy.mode() == EnforcementMode.REPORT;
        HostCheck check = policy.checkHost(target.host(), target.port());
        Decision d = check.decision();
        if (check.needsResolution()) {
            resolveThenDecide(policy, check.destination().orElseThrow(), report, false);
            return;
        }
        Destination destination = check.destination().orElse(null);
        boolean literal = destination != null && destination.literal().isPresent();
        if (d.isAllowed() || (report && literal)) {
            exchange.decided(d, report);
            InetAddress a = destination.literal().orElseThrow().toInetAddress();
            exchange.addresses(List.of(a));
            connect(List.of(a));
            return;
        }
        boolean resolvable = destination != null && (d.reason() == Reason.HOST_BLOCKED_NAME || d.reason() == Reason.PORT_NOT_ALLOWED);
        if (report && resolvable) {
            resolveThenDecide(policy, destination, true, true);
            return;
        }
        exchange.decided(d, false);
        respond(ErrorResponses.forDecision(d), ErrorResponses.errorFor(d).type());
    }

    private void resolveThenDecide(Policy policy, Destination destination, boolean report, boolean alreadyDenied) {
        long resolveStart = System.nanoTime();
        proxy.resolver().resolve(ctx.channel().eventLoop(), destination.host()).addListener((Future<List<InetAddress>> f) -> {
            proxy.metrics().dnsLatency(System.nanoTime() - resolveStart);
            if (!ctx.channel().isActive() || answered) {
                return;
            }
            if (!f.isSuccess()) {
                Decision failed = Decision.deny(f.cause() instanceof DestinationResolver.DnsTimeoutException
                        ? Reason.DNS_TIMEOUT : Reason.DNS_ERROR, f.cause() instanceof UnknownHostException ? "dns:nxdomain" : null);
                exchange.decided(failed, false);
                respond(ErrorResponses.forDecision(failed), ErrorResponses.errorFor(failed).type());
                return;
            }
            List<InetAddress> answers = f.getNow();
            exchange.addresses(answers);
            List<IpAddress> ips = answers.stream().map(IpAddress::fromInetAddress).collect(Collectors.toList());
            Decision d = alreadyDenied ? policy.checkHost(destination.host(), destination.port()).decision() : policy.decide(destination, ips);
            exchange.decided(d, report);
            if (d.isDenied() && !report) {
                respond(ErrorResponses.forDecision(d), ErrorResponses.errorFor(d).type());
                return;
            }
            connect(answers);
        });
    }

    // ---- the upstream -----------------------------------------------------------------------

    private void connect(List<InetAddress> vetted) {
        String key = target.host() + ":" + target.port();
        if (target.mode() == RequestTarget.Mode.FORWARD && upstream != null && upstream.isActive()
                && key.equals(upstreamKey) && vetted.contains(upstreamAddress)) {
            upstreamConnected(upstream);
            return;
        }
        closeUpstream();
        upstreamKey = key;
        long dialStart = System.nanoTime();
        proxy.connector().connect(ctx.channel().eventLoop(), vetted, target.port(), this::upstreamInitializer)
                .addListener((Future<Channel> f) -> {
                    proxy.metrics().connectLatency(System.nanoTime() - dialStart);
                    if (!ctx.channel().isActive() || answered) {
                        if (f.isSuccess()) {
                            f.getNow().close();
                        }
                        return;
                    }
                    if (f.isSuccess()) {
                        upstreamConnected(f.getNow());
                    } else {
                        upstreamFailed(f.cause());
                    }
                });
    }

    /** Takes a tunnel slot for this CONNECT or WebSocket exchange (given back when it closes), or refuses it. */
    private boolean admitTunnel() {
        if (!proxy.limits().admitTunnel()) {
            refuse(Reason.LIMIT_TUNNELS, "limits.maxTunnels");
            return false;
        }
        proxy.metrics().tunnelOpened();
        exchange.onClose(() -> {
            proxy.limits().releaseTunnel();
            proxy.metrics().tunnelClosed();
        });
        return true;
    }

    private ChannelHandler upstreamInitializer() {
        boolean http = target.mode() != RequestTarget.Mode.CONNECT;
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (http) {
                    ch.pipeline().addLast(HandlerNames.UPSTREAM_CODEC, new UpstreamResponseDecoder.Codec(MAX_UPSTREAM_HEADER_BYTES));
                    ch.pipeline().addLast(HandlerNames.UPSTREAM_RESPONSE, new UpstreamResponseHandler(ProxyFrontendHandler.this));
                } else {
                    ch.pipeline().addLast(HandlerNames.UPSTREAM_ERRORS, UpstreamErrorHandler.INSTANCE);
                }
            }
        };
    }

    private void upstreamFailed(Throwable cause) {
        ProxyStatusError error;
        if (cause instanceof SecurityException) {
            log.error("dial refused by the dial guard: {}", cause.getMessage());
            error = ProxyStatusError.PROXY_INTERNAL_ERROR;
        } else if (cause instanceof ConnectTimeoutException) {
            error = ProxyStatusError.CONNECTION_TIMEOUT;
        } else {
            error = ProxyStatusError.CONNECTION_REFUSED;
        }
        respond(ErrorResponses.forUpstream(error, target.host() + ":" + target.port()), error.type());
    }

    private void upstreamConnected(Channel ch) {
        upstream = ch;
        upstreamAddress = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        exchange.connectedTo(upstreamAddress);
        if (target.mode() == RequestTarget.Mode.CONNECT) {
            Tunnels.startConnectTunnel(ctx, this, ch, this::tunnelClosed);
            upstream = null;
            return;
        }
        upstreamReady = true;
        ch.config().setAutoRead(true);
        ((UpstreamResponseDecoder.Codec) ch.pipeline().get(HandlerNames.UPSTREAM_CODEC)).decoder()
                .requestSent(HttpMethod.HEAD.equals(upstreamRequest.method()));
        ch.write(upstreamRequest).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        while (!bodyBacklog.isEmpty()) {
            ch.write(bodyBacklog.poll()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        ch.flush();
        if (!requestComplete) {
            ctx.channel().config().setAutoRead(ch.isWritable());
        }
    }

    void onUpstreamMessage(Channel ch, Object msg) {
        if (ch != upstream || exchange == null || !upstreamReady) {
            ReferenceCountUtil.release(msg);
            if (ch == upstream) {
                closeUpstream(); // bytes outside an expected response: that connection is never reused
            }
            return;
        }
        if (msg instanceof ByteBuf) {
            rawFromUpstream.add((ByteBuf) msg); // bytes after a 101, before the switch completes (upstream reads are off)
            return;
        }
        if (((HttpObject) msg).decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            upstreamBroke(ProxyStatusError.HTTP_RESPONSE_INCOMPLETE, "the upstream's response could not be parsed");
            return;
        }
        if (msg instanceof HttpResponse) {
            if (!onResponseHead((HttpResponse) msg)) {
                ReferenceCountUtil.release(msg);
                return;
            }
        }
        if (msg instanceof HttpContent) {
            onResponseContent((HttpContent) msg);
        }
    }

    /** The upstream sent something that is not a valid answer: a 502 when nothing was answered yet, else the client is cut off. */
    private void upstreamBroke(ProxyStatusError error, String why) {
        closeUpstream();
        respond(ErrorResponses.forUpstream(error, why), error.type());
    }

    /** A read batch from the upstream ended: what it produced for the client goes out now, in one flush. */
    void onUpstreamReadComplete(Channel ch) {
        if (ch == upstream) {
            ctx.channel().flush();
        }
    }

    /** Handles a response head; false when it was refused (and the exchange answered with a 502). */
    private boolean onResponseHead(HttpResponse res) {
        int code = res.status().code();
        res.headers().remove(ErrorResponses.REASON_HEADER); // only the proxy speaks for the policy
        if (code == 101) {
            String refusal = target.mode() != RequestTarget.Mode.WEBSOCKET
                    ? "the upstream switched protocols although no upgrade was asked for"
                    : WebSocketHandshake.refusalOf(res, webSocketKey).orElse(null);
            if (refusal != null) {
                upstreamBroke(ProxyStatusError.HTTP_UPGRADE_FAILED, refusal);
                return false;
            }
            upstream.config().setAutoRead(false);
            status = 101;
            responseStarted = true;
            HopByHopHeaders.strip(res.headers(), true);
            switchingResponse = res;
            return true;
        }
        if (code >= 100 && code < 200) {
            if (++interimResponses > MAX_INTERIM_RESPONSES) {
                upstreamBroke(ProxyStatusError.HTTP_PROTOCOL_ERROR, "more than " + MAX_INTERIM_RESPONSES + " interim responses");
                return false;
            }
            interimResponse = true;
            if (clientHttp10) {
                return false; // RFC 9110 15.2: no 1xx to an HTTP/1.0 client; its empty content is dropped too
            }
            HopByHopHeaders.strip(res.headers(), false);
            ctx.channel().write(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            upstream.config().setAutoRead(ctx.channel().isWritable()); // a client that does not read stops the upstream
            return true;
        }
        status = code;
        responseStarted = true;
        upstreamReusable = HttpUtil.isKeepAlive(res);
        HopByHopHeaders.strip(res.headers(), false);
        boolean bodyless = code == 204 || code == 304 || HttpMethod.HEAD.equals(upstreamRequest.method());
        if (clientHttp10 && HttpUtil.isTransferEncodingChunked(res) && !bodyless) {
            res.headers().remove(HttpHeaderNames.TRANSFER_ENCODING); // RFC 9112 6.1: an identity body, delimited by the close
        }
        boolean framed = HttpUtil.isContentLengthSet(res) || HttpUtil.isTransferEncodingChunked(res);
        closeAfterResponse = !clientKeepAlive || (!framed && !bodyless);
        closeAfterResponse |= proxy.isDraining();
        res.headers().set(HttpHeaderNames.CONNECTION, closeAfterResponse ? HttpHeaderValues.CLOSE : HttpHeaderValues.KEEP_ALIVE);
        ctx.channel().write(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        ctx.channel().config().setAutoRead(false);
        upstream.config().setAutoRead(ctx.channel().isWritable());
        return true;
    }

    /** A response's interim head was swallowed (HTTP/1.0 client): its empty content goes with it. */
    private boolean swallowsInterimContent(HttpContent content) {
        if (interimResponse && clientHttp10 && content instanceof LastHttpContent) {
            content.release();
            interimResponse = false;
            return true;
        }
        return false;
    }

    private void onResponseContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (swallowsInterimContent(content)) {
            return;
        }
        if (switchingResponse != null) {
            content.release();
            if (last) {
                HttpResponse switching = switchingResponse;
                switchingResponse = null;
                Tunnels.switchWebSocket(ctx, this, upstream, switching, rawFromUpstream, this::tunnelClosed);
            }
            return;
        }
        if (last) {
            HttpHeaders trailers = ((LastHttpContent) content).trailingHeaders();
            if (clientHttp10 && !trailers.isEmpty()) {
                trailers.clear(); // no chunked framing, so no trailers
            } else {
                TrailerFields.strip(trailers);
            }
        }
        ctx.channel().write(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE); // flushed when the upstream read completes
        if (!last) {
            if (!ctx.channel().isWritable()) {
                ctx.channel().flush();
            }
            return;
        }
        ctx.channel().flush();
        if (interimResponse) {
            interimResponse = false;
            return;
        }
        finishExchange();
    }

    private void finishExchange() {
        exchange.closed(status, null, traffic.bytesRead(), traffic.bytesWritten());
        upMark = traffic.bytesRead();
        downMark = traffic.bytesWritten();
        // An origin that answered before the body ended (an early 401 or 413) has a codec mid-body:
        // it is not reused, and the rest of the client's body is read and dropped.
        if (!upstreamReusable || !requestComplete) {
            closeUpstream();
        } else if (upstream != null) {
            ((UpstreamResponseDecoder.Codec) upstream.pipeline().get(HandlerNames.UPSTREAM_CODEC)).decoder().responseEnded();
        }
        boolean close = closeAfterResponse || proxy.isDraining();
        boolean declinedUpgrade = target.mode() == RequestTarget.Mode.WEBSOCKET;
        resetRequestState();
        if (close) {
            Channels.closeOnFlush(ctx.channel());
            return;
        }
        armHeadTimeout();
        // The next request waits for this read batch to end: an upstream that appended bytes after the
        // response must be seen doing so (and closed) before that request could reuse it.
        List<Object> early = new ArrayList<>(pipelined);
        pipelined.clear();
        ctx.executor().execute(() -> {
            if (!ctx.channel().isActive()) {
                early.forEach(ReferenceCountUtil::release);
                return;
            }
            early.forEach(this::handleMessage);
            if (declinedUpgrade && exchange == null) {
                // the decoder held what followed the upgrade request; it is HTTP after all
                ((StrictHttpRequestDecoder) ctx.pipeline().get(HandlerNames.HTTP_DECODER)).resumeDecoding();
            }
            if (exchange == null) {
                ctx.channel().config().setAutoRead(true);
            }
        });
    }

    void onUpstreamWritabilityChanged(Channel ch) {
        if (ch == upstream && exchange != null && !requestComplete && upstreamReady) {
            ctx.channel().config().setAutoRead(ch.isWritable());
        }
    }

    void onUpstreamClosed(Channel ch) {
        if (ch != upstream) {
            return;
        }
        upstream = null;
        upstreamReady = false;
        if (exchange == null || exchange.isClosed() || exchange.mode() == RequestTarget.Mode.CONNECT) {
            return;
        }
        if (!responseStarted) {
            respond(ErrorResponses.forUpstream(ProxyStatusError.HTTP_RESPONSE_INCOMPLETE, "the upstream closed the connection before responding"),
                    ProxyStatusError.HTTP_RESPONSE_INCOMPLETE.type());
        } else if (switchingResponse == null) {
            exchange.closed(status, ProxyStatusError.HTTP_RESPONSE_INCOMPLETE.type(), traffic.bytesRead(), traffic.bytesWritten());
            Channels.closeOnFlush(ctx.channel()); // what arrived reaches the client; the cut framing tells it the rest did not
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null && upstreamReady && switchingResponse == null) {
            upstream.config().setAutoRead(ctx.channel().isWritable()); // interim and final responses alike
        }
        ctx.fireChannelWritabilityChanged();
    }

    // ---- endings ----------------------------------------------------------------------------

    /** Called by {@link Tunnels} when a CONNECT or WebSocket tunnel has ended. */
    private void tunnelClosed(int tunnelStatus) {
        if (exchange != null) {
            exchange.closed(tunnelStatus, null, traffic.bytesRead(), traffic.bytesWritten());
        }
    }

    private void refuseMalformed(Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            refuse(Reason.REQUEST_HEADER_TOO_LARGE, "limits.maxHeaderBytes");
        } else if (cause instanceof StrictHttpRequestDecoder.UnsupportedVersionException) {
            refuse(Reason.REQUEST_VERSION, "request:version");
        } else if (cause instanceof StrictHttpRequestDecoder.SmugglingShapeException) {
            refuse(Reason.REQUEST_INVALID, ((StrictHttpRequestDecoder.SmugglingShapeException) cause).rule());
        } else {
            refuse(Reason.REQUEST_INVALID, "request:malformed");
        }
    }

    private void refuse(Reason reason, String rule) {
        Decision d = Decision.deny(reason, rule);
        exchange.decided(d, false);
        respond(ErrorResponses.forDecision(d), ErrorResponses.errorFor(d).type());
    }

    /**
     * The request body did not decode (a broken chunk, a bare LF): the upstream must not see it end as
     * if complete, so it is closed unfinished, and the client gets a 400 if nothing was answered yet.
     */
    private void failRequestBody() {
        Decision d = Decision.deny(Reason.REQUEST_INVALID, "request:malformed-body");
        respond(ErrorResponses.forDecision(d), ErrorResponses.errorFor(d).type());
    }

    /** Sends a final error response, then closes: nothing more is read from this connection. */
    private void respond(FullHttpResponse response, String error) {
        if (answered) {
            response.release(); // one final answer per exchange
            return;
        }
        answered = true;
        int code = response.status().code();
        Exchange ending = exchange;
        releaseQueues();
        closeUpstream();
        if (responseStarted) {
            response.release();
            if (ending != null) {
                ending.closed(status, error, traffic.bytesRead(), traffic.bytesWritten());
            }
            ctx.channel().close();
            return;
        }
        ctx.channel().writeAndFlush(response).addListener(f -> {
            if (ending != null) {
                ending.closed(code, error, traffic.bytesRead(), traffic.bytesWritten());
            }
            if (requestComplete || !f.isSuccess()) {
                ctx.channel().close();
            } else {
                lingerThenClose();
            }
        });
    }

    /**
     * A lingering close (as nginx does): the client may still be sending a body it will read our
     * answer only after, and closing with its bytes unread would reset the connection and lose the
     * answer. Our side is shut for writing, and the rest is read and dropped until the request ends,
     * the client closes, or {@link #LINGER_MILLIS} / {@link #LINGER_MAX_BYTES} pass.
     */
    private void lingerThenClose() {
        Channel ch = ctx.channel();
        lingerFromByte = traffic.bytesRead();
        ctx.executor().schedule(() -> {
            ch.close();
        }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        if (ch instanceof DuplexChannel) {
            ((DuplexChannel) ch).shutdownOutput();
        }
        ch.config().setAutoRead(true);
    }

    private void resetRequestState() {
        answered = false;
        exchange = null;
        target = null;
        upstreamRequest = null;
        requestComplete = false;
        upstreamReady = false;
        responseStarted = false;
        interimResponse = false;
        interimResponses = 0;
        webSocketKey = null;
        clientHttp10 = false;
        closeAfterResponse = false;
        upstreamReusable = false;
        status = 0;
    }

    private void closeUpstream() {
        if (upstream != null) {
            Channel ch = upstream;
            upstream = null;
            upstreamReady = false;
            ch.close();
        }
    }

    private void releaseQueues() {
        bodyBacklog.forEach(ReferenceCountUtil::release);
        bodyBacklog.clear();
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
        rawFromUpstream.forEach(ReferenceCountUtil::release);
        rawFromUpstream.clear();
    }

    private void armHeadTimeout() {
        cancelHeadTimeout();
        long millis = proxy.policy().limits().requestHeaderTimeout().toMillis();
        long readAtArm = traffic.bytesRead();
        headTimeout = ctx.executor().schedule(() -> onHeadTimeout(readAtArm), millis, TimeUnit.MILLISECONDS);
    }

    private void onHeadTimeout(long readAtArm) {
        if (exchange != null || !ctx.channel().isActive()) {
            return;
        }
        if (traffic.bytesRead() == readAtArm) {
            ctx.channel().close(); // an idle keep-alive connection: close quietly
            return;
        }
        exchange = new Exchange(proxy, connectionId + "-" + (++sequence), clientText, null, upMark, downMark);
        refuse(Reason.REQUEST_TIMEOUT, "limits.requestHeaderTimeout");
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
            if (exchange == null) {
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
        cancelHeadTimeout();
        if (exchange != null && !exchange.isClosed()) {
            exchange.closed(status, "client_closed", traffic.bytesRead(), traffic.bytesWritten());
        }
        releaseQueues();
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

    /** The 200 a CONNECT gets once its tunnel is up. */
    static FullHttpResponse connectEstablished() {
        return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Connection established"));
    }

    /** Releases what the exchange still holds before its handler leaves the pipeline for a relay. */
    void handOver() {
        cancelHeadTimeout();
        bodyBacklog.forEach(ReferenceCountUtil::release);
        bodyBacklog.clear();
        pipelined.forEach(ReferenceCountUtil::release);
        pipelined.clear();
        upstream = null;
    }
}
