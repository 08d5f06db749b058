package dev.egressguard.server;

import io.netty.channel.EventLoop;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code limits.idleTimeout} for client connections, one sweep per event loop instead of a timer
 * per connection: each {@link TrafficCounter} is watched on its loop, and a sweep — scheduled
 * only while the loop has connections, every quarter of the timeout, at least 50 ms and at most
 * 5 s apart — compares the bytes each has moved either way with what it had moved at the sweep
 * before. A connection whose count stood still from one sweep for the whole timeout gets an
 * {@link IdleStateEvent}, as Netty's {@code IdleStateHandler} would send it, and the handlers
 * behind close it: never before the timeout has passed since its last byte, at most two sweep
 * intervals after. Nothing is done per read or write (the counter counts bytes anyway), and a loop
 * whose connections are all idle wakes once in 5 s.
 */
final class IdleSweeper {
    private final Supplier<Duration> timeout;
    private final PerEventLoop<LoopWatch> watches = new PerEventLoop<>(LoopWatch::new);

    IdleSweeper(Supplier<Duration> timeout) {
        this.timeout = timeout;
    }

    /** Starts watching {@code counter}, whose channel is on the current event loop. */
    void watch(TrafficCounter counter, EventLoop loop) {
        LoopWatch w = watches.get();
        w.add(counter, System.nanoTime());
        if (!w.scheduled) {
            w.scheduled = true;
            loop.schedule(() -> sweep(w, loop), interval(), TimeUnit.NANOSECONDS);
        }
    }

    /** Stops watching {@code counter} (its channel closed); called on its event loop, more than once is fine. */
    void unwatch(TrafficCounter counter) {
        if (counter.watchSlot >= 0) {
            watches.get().remove(counter);
        }
    }

    private long interval() {
        long quarter = timeout.get().toNanos() / 4;
        return Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(5), quarter));
    }

    private void sweep(LoopWatch w, EventLoop loop) {
        long now = System.nanoTime();
        long limit = timeout.get().toNanos();
        for (int i = w.size - 1; i >= 0; i--) { // from the end: a close during the event removes the member at i
            TrafficCounter c = w.members[i];
            long moved = c.bytesRead() + c.bytesWritten();
            if (moved != c.movedAtSweep) {
                c.movedAtSweep = moved;
                c.quietSince = now;
            } else if (now - c.quietSince >= limit) {
                c.quietSince = now; // again after another timeout, if the connection is still there
                c.idle();
            }
        }
        if (w.size > 0) {
            loop.schedule(() -> sweep(w, loop), interval(), TimeUnit.NANOSECONDS);
        } else {
            w.scheduled = false;
        }
    }

    /** One event loop's watched connections: an array with swap-removal, each counter knowing its slot. */
    private static final class LoopWatch {
        TrafficCounter[] members = new TrafficCounter[64];
        int size;
        boolean scheduled;

        void add(TrafficCounter c, long now) {
            if (size == members.length) {
                members = Arrays.copyOf(members, size * 2);
            }
            c.watchSlot = size;
            c.quietSince = now;
            c.movedAtSweep = c.bytesRead() + c.bytesWritten();
            members[size++] = c;
        }

        void remove(TrafficCounter c) {
            int slot = c.watchSlot;
            TrafficCounter last = members[--size];
            members[slot] = last;
            last.watchSlot = slot;
            members[size] = null;
            c.watchSlot = -1;
            if (members.length > 64 && size < members.length / 4) {
                members = Arrays.copyOf(members, members.length / 2);
            }
        }
    }
}
