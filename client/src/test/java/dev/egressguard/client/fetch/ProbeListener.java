package dev.egressguard.client.fetch;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real listener on 127.0.0.1 that counts the connections it accepts and then either says
 * nothing (a server that never answers) or dribbles a response one byte at a time. Standing in
 * for a blocked destination it proves, with a count of zero, that nothing connected to it.
 */
final class ProbeListener implements AutoCloseable {
    /** What the listener does with an accepted connection. */
    enum Behaviour { SILENT, DRIBBLE }

    private static final int HOLD_MILLIS = 10_000;

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "probe-listener");
        t.setDaemon(true);
        return t;
    });

    ProbeListener(Behaviour behaviour) throws IOException {
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        this.behaviour = behaviour;
        pool.submit(this::acceptLoop);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                held.add(s);
                if (behaviour == Behaviour.DRIBBLE) {
                    pool.submit(() -> dribble(s));
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** Headers at once, then one body byte every 100 ms: never idle long enough for a read timeout. */
    private static void dribble(Socket s) {
        try {
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            long end = System.currentTimeMillis() + HOLD_MILLIS;
            for (int i = 0; i < 100 && System.currentTimeMillis() < end; i++) {
                Thread.sleep(100);
                out.write('x');
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up, or the test is over
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
        pool.shutdownNow();
    }
}
