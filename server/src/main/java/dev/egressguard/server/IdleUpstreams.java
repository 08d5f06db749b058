package dev.egressguard.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Idle upstream HTTP connections whose client connection closed, kept per event loop (no lock: a
 * connection lives on one loop, and so do its client's exchanges) for the next plain-HTTP request
 * with the same sharing key ({@link Exchange#sharingKey}: identity, proxy user, client address) to
 * the same host and port — taken only when that request's own decision
 * vetted the connection's address, so a name that rebinds cannot ride one. A kept connection is
 * closed after {@code limits.upstreamIdleTimeout} (zero keeps none), when its upstream closes or
 * sends anything, and beyond {@link #PER_DESTINATION} per destination or {@link #PER_LOOP} per loop.
 */
final class IdleUpstreams {
    static final int PER_DESTINATION = 32;
    static final int PER_LOOP = 256;
    private static final long SWEEP_MILLIS = 1_000;

    private final Supplier<Duration> idleTimeout;
    private final PerEventLoop<LoopShelf> shelves = new PerEventLoop<>(LoopShelf::new);

    IdleUpstreams(Supplier<Duration> idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    /**
     * An idle connection kept under {@code sharingKey} to {@code destination} ({@code host:port}) at one of
     * {@code vetted}, taken off the shelf; null for none. Called on the connection's event loop.
     */
    Channel take(EventLoop loop, String sharingKey, String destination, List<InetAddress> vetted) {
        if (!loop.inEventLoop() || !shelves.isSet()) {
            return null;
        }
        ArrayDeque<Kept> kept = shelves.get().byKey.get(key(sharingKey, destination));
        if (kept == null) {
            return null;
        }
        long now = System.nanoTime();
        long timeout = idleTimeout.get().toNanos();
        for (Iterator<Kept> it = kept.descendingIterator(); it.hasNext(); ) { // the newest first: the likeliest alive
            Kept k = it.next();
            if (k.channel.isActive() && now - k.since <= timeout && vetted.contains(UpstreamSlot.addressOf(k.channel))) {
                k.removeFromShelf(); // and return at once: the iterator is not used again
                return k.channel;
            } // else the sweep closes it, or it waits for a request that vetted its address
        }
        return null;
    }

    /**
     * Keeps {@code ch}, an idle upstream connection under {@code sharingKey} to {@code destination} at
     * the end of a clean exchange, or closes it when none may be kept.
     */
    void keepOrClose(Channel ch, String sharingKey, String destination) {
        long timeout = idleTimeout.get().toNanos();
        if (timeout <= 0 || !ch.isActive() || !ch.eventLoop().inEventLoop()) {
            Channels.closeIfOpen(ch);
            return;
        }
        LoopShelf shelf = shelves.get();
        String key = key(sharingKey, destination);
        ArrayDeque<Kept> kept = shelf.byKey.get(key);
        if (shelf.count >= PER_LOOP || kept != null && kept.size() >= PER_DESTINATION) {
            ch.close();
            return;
        }
        if (kept == null) {
            kept = new ArrayDeque<>();
            shelf.byKey.put(key, kept);
        }
        Kept k = new Kept(shelf, key, ch, System.nanoTime());
        UpstreamSlot.responsesOf(ch).rebind(null, k);
        kept.addLast(k);
        shelf.count++;
        shelf.sweepLater(ch.eventLoop(), idleTimeout);
    }

    private static String key(String sharingKey, String destination) {
        return sharingKey + ' ' + destination;
    }

    /** One event loop's kept connections. */
    private static final class LoopShelf {
        final Map<String, ArrayDeque<Kept>> byKey = new HashMap<>();
        int count;
        boolean sweeping;

        void sweepLater(EventLoop loop, Supplier<Duration> idleTimeout) {
            if (!sweeping) {
                sweeping = true;
                loop.schedule(() -> sweep(loop, idleTimeout), SWEEP_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        /** Closes what waited too long (its close removes it); runs again while anything is kept. */
        private void sweep(EventLoop loop, Supplier<Duration> idleTimeout) {
            sweeping = false;
            long now = System.nanoTime();
            long timeout = idleTimeout.get().toNanos();
            for (ArrayDeque<Kept> kept : byKey.values().toArray(new ArrayDeque[0])) {
                for (Kept k : kept.toArray(new Kept[0])) {
                    if (!k.channel.isActive() || now - k.since > timeout) {
                        Channels.closeIfOpen(k.channel);
                        k.removeFromShelf();
                    }
                }
            }
            if (count > 0) {
                sweepLater(loop, idleTimeout);
            }
        }
    }

    /** A kept connection; what its response side reports while it waits (only a close is expected). */
    private record Kept(LoopShelf shelf, String key, Channel channel, long since) implements ResponseEvents {
        void removeFromShelf() {
            ArrayDeque<Kept> kept = shelf.byKey.get(key);
            if (kept != null && kept.remove(this)) {
                shelf.count--;
                if (kept.isEmpty()) {
                    shelf.byKey.remove(key);
                }
            }
        }

        @Override
        public void upstreamClosed(Channel upstream) {
            removeFromShelf();
        }

        @Override
        public void responseStarted(int status) {}

        @Override
        public void responseEnded(boolean upstreamReusable, boolean closeClient) {}

        @Override
        public void responseFailed(ProxyStatusError error, String why) {}

        @Override
        public void switchToWebSocket(HttpResponse switching, ArrayDeque<ByteBuf> earlyUpstreamBytes) {}

        @Override
        public void upstreamWritabilityChanged(boolean writable) {}
    }
}
