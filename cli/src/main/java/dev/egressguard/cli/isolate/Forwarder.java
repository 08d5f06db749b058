package dev.egressguard.cli.isolate;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Accepts connections on one listener and relays each to a connection that {@link Dialer} opens:
 * inside the namespace from {@code 127.0.0.1:PORT} to the outer process's Unix socket, outside
 * from that Unix socket to the proxy. At most {@value #MAX_CONNECTIONS} connections at a time; one
 * more is refused (reset), never queued without bound. Threads are daemons: a forwarder never
 * keeps its process alive.
 */
final class Forwarder implements AutoCloseable {
    static final int MAX_CONNECTIONS = 512;

    /** Opens the far side of one relayed connection. */
    @FunctionalInterface
    interface Dialer {
        SocketChannel dial() throws IOException;
    }

    private final ServerSocketChannel listener;
    private final Dialer dialer;
    private final Consumer<IOException> onDialFailure;
    private final Semaphore permits = new Semaphore(MAX_CONNECTIONS);
    private final ExecutorService threads;

    private Forwarder(String name, ServerSocketChannel listener, Dialer dialer, Consumer<IOException> onDialFailure) {
        this.listener = listener;
        this.dialer = dialer;
        this.onDialFailure = onDialFailure;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "egressguard-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts accepting on {@code listener} (already bound); {@code onDialFailure} hears of each connection that could not be relayed. */
    static Forwarder start(String name, ServerSocketChannel listener, Dialer dialer, Consumer<IOException> onDialFailure) {
        Forwarder f = new Forwarder(name, listener, dialer, onDialFailure);
        f.threads.execute(f::acceptLoop);
        return f;
    }

    private void acceptLoop() {
        while (listener.isOpen()) {
            SocketChannel in;
            try {
                in = listener.accept();
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                pause(); // one failed accept (the client gave up, no descriptors left) is not the listener's end
                continue;
            }
            if (!permits.tryAcquire()) {
                Sockets.abort(in);
                continue;
            }
            threads.execute(() -> connect(in));
        }
    }

    private void connect(SocketChannel in) {
        SocketChannel out;
        try {
            out = dialer.dial();
        } catch (IOException e) {
            Sockets.abort(in);
            permits.release();
            onDialFailure.accept(e);
            return;
        }
        try {
            Relay.start(in, out, threads, permits::release);
        } catch (RejectedExecutionException closing) {
            Sockets.abort(in);
            Sockets.closeQuietly(out);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        Sockets.closeQuietly(listener);
        threads.shutdownNow(); // interrupting blocked channel I/O closes those channels
    }
}
