package dev.egressguard.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code limits.requestHeaderTimeout} on one client connection: armed whenever the connection
 * waits for a request head, paused when one arrives. When it fires it says whether the client
 * sent anything since (a head too slow: 408) or nothing at all (an idle keep-alive connection).
 *
 * <p>A keep-alive connection arms and pauses once per request; that touches no scheduler: one
 * check stays scheduled, and when it runs early (the timer was paused and armed again meanwhile)
 * it schedules itself for what is left. Only {@link #cancel} removes it.
 */
final class HeadTimer {
    private final ProxyContext proxy;
    private final TrafficCounter traffic;
    private final Runnable check = this::check;
    private ScheduledFuture<?> pending;
    private ChannelHandlerContext ctx;
    private Consumer<Boolean> expired;
    private boolean armed;
    /** How much later than the scheduled check the armed timer expires (it was armed again after the check was scheduled). */
    private long extraNanos;
    private long readAtArm;

    HeadTimer(ProxyContext proxy, TrafficCounter traffic) {
        this.proxy = proxy;
        this.traffic = traffic;
    }

    /** Arms the timer; {@code expired} gets true when bytes arrived since (a partial head), false when none did. */
    void arm(ChannelHandlerContext ctx, Consumer<Boolean> expired) {
        long nanos = proxy.policy().limits().requestHeaderTimeout().toNanos();
        this.ctx = ctx;
        this.expired = expired;
        this.readAtArm = traffic.bytesRead();
        this.armed = true;
        extraNanos = pending == null ? 0 : nanos - pending.getDelay(TimeUnit.NANOSECONDS); // the executor's clock
        if (extraNanos < 0) { // a reload shortened the timeout
            cancel();
            armed = true;
            extraNanos = 0;
        }
        if (pending == null) {
            pending = ctx.executor().schedule(check, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A head arrived: the timer stops (the scheduled check, if any, finds it paused). */
    void pause() {
        armed = false;
    }

    /** Stops the timer and removes its scheduled check (the connection is handed over or gone). */
    void cancel() {
        armed = false;
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void check() {
        pending = null;
        if (!armed || !ctx.channel().isActive()) {
            return;
        }
        if (extraNanos > 0) {
            pending = ctx.executor().schedule(check, extraNanos, TimeUnit.NANOSECONDS);
            extraNanos = 0;
            return;
        }
        armed = false;
        expired.accept(traffic.bytesRead() != readAtArm);
    }
}
