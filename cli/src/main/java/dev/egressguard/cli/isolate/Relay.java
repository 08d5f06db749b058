package dev.egressguard.cli.isolate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Copies bytes both ways between two connected stream channels (TCP or Unix domain), one thread
 * per direction. The end of one direction is passed on as a half-close ({@code shutdownOutput}),
 * so that a client that has sent its request and waits for the answer keeps its connection; an
 * error in either direction closes both. When both directions have ended, both channels are
 * closed and {@code onClosed} runs, once.
 */
final class Relay {
    private static final int BUFFER = 16 * 1024;

    private final SocketChannel a;
    private final SocketChannel b;
    private final Runnable onClosed;
    private final AtomicInteger open = new AtomicInteger(2);

    private Relay(SocketChannel a, SocketChannel b, Runnable onClosed) {
        this.a = a;
        this.b = b;
        this.onClosed = onClosed;
    }

    /** Starts relaying on two threads of {@code threads}; returns at once. */
    static void start(SocketChannel a, SocketChannel b, Executor threads, Runnable onClosed) {
        Relay relay = new Relay(a, b, onClosed);
        threads.execute(() -> relay.pump(a, b));
        threads.execute(() -> relay.pump(b, a));
    }

    private void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeBoth(); // reset, or the other direction closed both: nothing more can flow
        } finally {
            if (open.decrementAndGet() == 0) {
                closeBoth();
                onClosed.run();
            }
        }
    }

    private void closeBoth() {
        Sockets.closeQuietly(a);
        Sockets.closeQuietly(b);
    }
}
