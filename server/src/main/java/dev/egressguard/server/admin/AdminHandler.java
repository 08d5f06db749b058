package dev.egressguard.server.admin;

import dev.egressguard.config.EffectivePolicyYaml;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the admin endpoints: GET and HEAD only, no request body, nothing that could carry a secret. */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final byte[] STATUS_PAGE = resource("status.html");

    private final ProxyView proxy;
    private final boolean loopbackOnly;

    /** {@code loopbackOnly}: the listener is bound to loopback, so only IP-literal or localhost Host values are served. */
    AdminHandler(ProxyView proxy, boolean loopbackOnly) {
        this.proxy = proxy;
        this.loopbackOnly = loopbackOnly;
    }

    /**
     * DNS rebinding: a web page can make a browser send requests for attacker.example to a loopback
     * listener. Bound to loopback, the admin pages answer only requests that name an address or localhost.
     */
    private boolean hostAcceptable(FullHttpRequest req) {
        if (!loopbackOnly) {
            return true;
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null) {
            return true;
        }
        String h = host.strip();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close > 0 && dev.egressguard.core.net.IpLiterals.tryParse(h.substring(1, close)).isPresent();
        }
        int colon = h.lastIndexOf(':');
        String name = colon >= 0 ? h.substring(0, colon) : h;
        return name.equalsIgnoreCase("localhost") || dev.egressguard.core.net.IpLiterals.tryParse(name).isPresent();
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
        if (!hostAcceptable(req)) {
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
            case "/status.json":
                return body(HttpResponseStatus.OK, "application/json", StatusJson.render(proxy));
            case "/":
            case "/index.html":
                return bytes(HttpResponseStatus.OK, "text/html; charset=utf-8", STATUS_PAGE);
            default:
                return text(HttpResponseStatus.NOT_FOUND, "not found; try /, /metrics, /healthz, /readyz, /policy, /status.json\n");
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
