package dev.egressguard.server.admin;

import dev.egressguard.config.EffectivePolicyYaml;
import dev.egressguard.core.net.HostPort;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpLiterals;
import dev.egressguard.server.ProxyView;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the admin endpoints: GET and HEAD only, no request body, nothing that could carry a secret. */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final byte[] STATUS_PAGE = resource("status.html");
    /** An HTTP/1.0 request named no host. */
    private static final String NO_HOST = "";

    private final ProxyView proxy;
    private final boolean loopbackOnly;

    /** {@code loopbackOnly}: the listener is bound to loopback, so only IP-literal or localhost Host values are served. */
    AdminHandler(ProxyView proxy, boolean loopbackOnly) {
        this.proxy = proxy;
        this.loopbackOnly = loopbackOnly;
    }

    /**
     * The one {@code Host} header, read strictly as {@code host[:port]} (an IPv6 literal in
     * brackets, a port of 1..65535, a host that is a hostname or an IP literal), as its canonical
     * host; {@link #NO_HOST} for an HTTP/1.0 request without one; empty when it is missing from an
     * HTTP/1.1 request, repeated, or anything else.
     */
    private static Optional<String> hostOf(FullHttpRequest req) {
        List<String> hosts = req.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.isEmpty()) {
            return req.protocolVersion().equals(HttpVersion.HTTP_1_0) ? Optional.of(NO_HOST) : Optional.empty();
        }
        if (hosts.size() > 1) {
            return Optional.empty();
        }
        String value = hosts.get(0);
        Optional<HostPort> hp = HostPort.tryParseLenient(value);
        if (hp.isEmpty() || (hp.get().host().indexOf(':') >= 0 && !value.startsWith("["))) {
            return Optional.empty(); // junk after "]", a port that is not a number, an unbracketed IPv6 literal
        }
        return Hostnames.canonicalize(hp.get().host());
    }

    /**
     * DNS rebinding: a web page can make a browser send requests for attacker.example to a loopback
     * listener. Bound to loopback, the admin pages answer only requests that name an address or localhost.
     */
    private boolean hostAcceptable(String host) {
        if (!loopbackOnly || host.equals(NO_HOST)) {
            return true;
        }
        return host.equals("localhost") || IpLiterals.tryParse(host).isPresent();
    }

    private static byte[] resource(String name) {
        try (InputStream in = AdminHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing admin resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read admin resource " + name, e);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        FullHttpResponse res = respond(req);
        boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
        HttpUtil.setContentLength(res, res.content().readableBytes());
        HttpUtil.setKeepAlive(res, keepAlive);
        if (req.method().equals(HttpMethod.HEAD)) {
            res.content().clear();
        }
        ctx.writeAndFlush(res).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private FullHttpResponse respond(FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            return text(HttpResponseStatus.BAD_REQUEST, "bad request\n");
        }
        Optional<String> host = hostOf(req);
        if (host.isEmpty()) {
            return text(HttpResponseStatus.BAD_REQUEST, "bad request: exactly one Host header, host[:port]\n");
        }
        if (!hostAcceptable(host.get())) {
            return text(HttpResponseStatus.FORBIDDEN, "the admin listener answers only requests for an IP address or localhost\n");
        }
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET or HEAD only\n");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            return r;
        }
        String path = req.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        switch (path) {
            case "/metrics":
                return body(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", proxy.metrics().prometheus());
            case "/healthz":
                return text(HttpResponseStatus.OK, "ok\n");
            case "/readyz":
                return proxy.isReady() ? text(HttpResponseStatus.OK, "ready\n") : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining\n");
            case "/policy":
                return body(HttpResponseStatus.OK, "application/yaml; charset=utf-8", EffectivePolicyYaml.render(proxy.policy()));
            case "/ca.pem":
                return proxy.caPem().map(pem -> body(HttpResponseStatus.OK, "application/x-pem-file", pem))
                        .orElseGet(() -> text(HttpResponseStatus.NOT_FOUND, "no interception CA: the policy intercepts no host (docs/tls.md)\n"));
            case "/status.json":
                return body(HttpResponseStatus.OK, "application/json", StatusJson.render(proxy));
            case "/":
            case "/index.html":
                return bytes(HttpResponseStatus.OK, "text/html; charset=utf-8", STATUS_PAGE);
            default:
                return text(HttpResponseStatus.NOT_FOUND, "not found; try /, /metrics, /healthz, /readyz, /policy, /status.json, /ca.pem\n");
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return body(status, "text/plain; charset=utf-8", body);
    }

    private static FullHttpResponse body(HttpResponseStatus status, String type, String body) {
        return bytes(status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse bytes(HttpResponseStatus status, String type, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'");
        r.headers().set("X-Frame-Options", "DENY");
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection failed: {}", cause.toString());
        ctx.close();
    }
}
