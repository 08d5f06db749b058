package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream connection of a client connection: the one in use, kept between exchanges for the
 * next request to the same destination — reused only when that request's own decision vetted its
 * address, so a name that rebinds cannot ride it — and the dial for a new one. When the client
 * connection lets go of an idle one, it goes to {@link IdleUpstreams} for the next client connection
 * of the same identity, user and address, under the same rule.
 */
final class UpstreamSlot {
    private static final Logger log = LoggerFactory.getLogger(UpstreamSlot.class);
    private final ProxyContext proxy;
    private final ResponseEvents events;
    private Channel channel;
    private String key;
    /** Whose connection it is, as {@link IdleUpstreams} keys it: an {@link Exchange#sharingKey}. */
    private String sharingKey;
    private InetAddress address;
    /**
     * The last exchange on {@link #channel} ended cleanly, nothing is in flight on it, and it may
     * serve another client connection ({@link #shareable}).
     */
    private boolean shareable;

    UpstreamSlot(ProxyContext proxy, ResponseEvents events) {
        this.proxy = proxy;
        this.events = events;
    }

    /**
     * A connection {@code request} may reuse — plain forwarding only, same host and port, an address
     * it vetted: the kept one, else an idle one with the same {@code sharingKey} that another client
     * connection left; null for none.
     */
    Channel reusableFor(ValidRequest request, List<InetAddress> vetted, String sharingKey, Channel client) {
        if (request.mode() != RequestTarget.Mode.FORWARD) {
            release(); // a tunnel or an upgrade takes its own connection (an intercepted one none yet): a kept one goes
            return null;
        }
        if (channel != null && channel.isActive() && key.equals(request.upstreamKey()) && vetted.contains(address)) {
            keep(channel, request, sharingKey);
            return channel;
        }
        Channel shared = proxy.idleUpstreams().take(client.eventLoop(), sharingKey, request.upstreamKey(), vetted);
        if (shared == null) {
            return null;
        }
        release();
        responsesOf(shared).rebind(client, events);
        keep(shared, request, sharingKey);
        return shared;
    }

    /**
     * Opens a new upstream for {@code request} to the first of {@code vetted} that answers (the old
     * one, if any, is let go); the caller {@link #keep}s it when it succeeds.
     */
    Future<Channel> dial(ValidRequest request, List<InetAddress> vetted, EventLoop loop, Channel client) {
        release();
        boolean http = request.mode() != RequestTarget.Mode.CONNECT;
        long start = System.nanoTime();
        Future<Channel> dialled = proxy.connector().connect(loop, vetted, request.target().port(), () -> http
                ? UpstreamInitializer.forHttp(new UpstreamResponseHandler(client, proxy, events)) // one per dial attempt
                : UpstreamErrorHandler.INSTANCE);
        dialled.addListener(f -> {
            proxy.metrics().connectLatency(System.nanoTime() - start);
            if (f.cause() instanceof SecurityException) {
                log.error("dial refused by the dial guard: {}", f.cause().getMessage());
            }
        });
        return dialled;
    }

    /** {@code ch} carries {@code request} now, for whom {@code sharingKey} names. */
    void keep(Channel ch, ValidRequest request, String sharingKey) {
        channel = ch;
        key = request.upstreamKey();
        this.sharingKey = sharingKey;
        address = addressOf(ch);
        shareable = false;
    }

    /**
     * The exchange on the connection ended cleanly: it may carry the next request, here or
     * elsewhere. Reads go back on (a slow client may have turned them off mid-response), so that
     * whatever the upstream sends while idle — a close, or bytes nobody asked for — is seen now and
     * closes it, instead of waiting in its socket to be read as the next request's response.
     */
    void settle(boolean shareable) {
        this.shareable = channel != null && shareable;
        if (channel != null) {
            channel.config().setAutoRead(true);
        }
    }

    /**
     * Whether the connection that carried {@code request} may serve another client connection once
     * idle: only after a request without a body (an origin that answers without reading a body
     * would read it as the next request — a response smuggled to someone else) and without
     * connection-bound origin authentication (NTLM, Negotiate).
     */
    static boolean shareable(ValidRequest request, RequestBody body) {
        if (!body.none()) {
            return false;
        }
        for (String auth : request.upstreamHead().headers().getAll(HttpHeaderNames.AUTHORIZATION)) {
            String scheme = auth.strip().toLowerCase(Locale.ROOT);
            if (scheme.startsWith("ntlm") || scheme.startsWith("negotiate")) {
                return false;
            }
        }
        return true;
    }

    /** The address {@code ch} is connected to; null for none (an intercepted tunnel dials later). */
    static InetAddress addressOf(Channel ch) {
        return ch == null ? null : ((InetSocketAddress) ch.remoteAddress()).getAddress();
    }

    Channel channel() {
        return channel;
    }

    /** The response side of the kept HTTP connection. */
    UpstreamResponseHandler responses() {
        return responsesOf(channel);
    }

    static UpstreamResponseHandler responsesOf(Channel upstream) {
        return (UpstreamResponseHandler) upstream.pipeline().get(HandlerNames.UPSTREAM_RESPONSE);
    }

    boolean holds(Channel ch) {
        return channel != null && channel == ch;
    }

    /** Hands the connection over (to a tunnel): the slot forgets it without closing it. */
    Channel take() {
        Channel ch = channel;
        channel = null;
        shareable = false;
        return ch;
    }

    /** Forgets a connection that closed by itself. */
    void forget() {
        take();
    }

    void close() {
        Channels.closeIfOpen(take());
    }

    /** The client connection is done with the connection: a shareable idle one goes to {@link IdleUpstreams}, any other closes. */
    void release() {
        boolean keep = shareable && !proxy.isDraining();
        Channel ch = take();
        if (ch != null && keep) {
            proxy.idleUpstreams().keepOrClose(ch, sharingKey, key);
        } else {
            Channels.closeIfOpen(ch);
        }
    }
}
