package dev.egressguard.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code limits.requestHeaderTimeout} on one client connection: armed whenever the connection
 * waits for a request head, cancelled when one arrives. When it fires it says whether the client
 * sent anything since (a head too slow: 408) or nothing at all (an idle keep-alive connection).
 */
final class HeadTimer {
    private final ProxyContext proxy;
    private final TrafficCounter traffic;
    private ScheduledFuture<?> pending;

    HeadTimer(ProxyContext proxy, TrafficCounter traffic) {
        this.proxy = proxy;
        this.traffic = traffic;
    }

    /** Arms the timer; {@code expired} gets true when bytes arrived since (a partial head), false when none did. */
    void arm(ChannelHandlerContext ctx, Consumer<Boolean> expired) {
        cancel();
        long millis = proxy.policy().limits().requestHeaderTimeout().toMillis();
        long readAtArm = traffic.bytesRead();
        pending = ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                expired.accept(traffic.bytesRead() != readAtArm);
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }
}
