package dev.egressguard.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream connection of a client connection: the one in use, kept between exchanges for the
 * next request to the same destination — reused only when that request's own decision vetted its
 * address, so a name that rebinds cannot ride it — and the dial for a new one.
 */
final class UpstreamSlot {
    private static final Logger log = LoggerFactory.getLogger(UpstreamSlot.class);
    private final ProxyContext proxy;
    private Channel channel;
    private String key;
    private InetAddress address;

    UpstreamSlot(ProxyContext proxy) {
        this.proxy = proxy;
    }

    /** The kept connection when {@code request} may reuse it: forwarding, same host and port, an address it vetted. */
    Channel reusableFor(ValidRequest request, List<InetAddress> vetted) {
        boolean fits = channel != null && channel.isActive() && request.mode() == RequestTarget.Mode.FORWARD
                && key.equals(request.upstreamKey()) && vetted.contains(address);
        return fits ? channel : null;
    }

    /**
     * Opens a new upstream for {@code request} to the first of {@code vetted} that answers (the old
     * one, if any, is closed); the caller {@link #keep}s it when it succeeds.
     */
    Future<Channel> dial(ValidRequest request, List<InetAddress> vetted, EventLoop loop, Channel client, ResponseEvents events) {
        close();
        boolean http = request.mode() != RequestTarget.Mode.CONNECT;
        long start = System.nanoTime();
        Future<Channel> dialled = proxy.connector().connect(loop, vetted, request.target().port(), () -> http
                ? UpstreamInitializer.forHttp(new UpstreamResponseHandler(client, proxy, events)) // one per dial attempt
                : UpstreamInitializer.forTunnel());
        dialled.addListener(f -> {
            proxy.metrics().connectLatency(System.nanoTime() - start);
            if (f.cause() instanceof SecurityException) {
                log.error("dial refused by the dial guard: {}", f.cause().getMessage());
            }
        });
        return dialled;
    }

    void keep(Channel ch, ValidRequest request) {
        channel = ch;
        key = request.upstreamKey();
        address = addressOf(ch);
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
        return (UpstreamResponseHandler) channel.pipeline().get(HandlerNames.UPSTREAM_RESPONSE);
    }

    boolean holds(Channel ch) {
        return channel != null && channel == ch;
    }

    /** Hands the connection over (to a tunnel): the slot forgets it without closing it. */
    Channel take() {
        Channel ch = channel;
        channel = null;
        return ch;
    }

    /** Forgets a connection that closed by itself. */
    void forget() {
        channel = null;
    }

    void close() {
        Channel ch = take();
        if (ch != null) {
            ch.close();
        }
    }
}
