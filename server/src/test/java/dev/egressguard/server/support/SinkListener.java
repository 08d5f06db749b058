package dev.egressguard.server.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener on a loopback address that must never be reached: it counts every connection and
 * every byte. Tests point denied targets at it and assert that nothing arrived.
 */
public final class SinkListener implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger bytes = new AtomicInteger();
    private final Thread acceptor;

    public SinkListener(String address, int port) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByAddress(toBytes(address)), port));
        acceptor = new Thread(this::acceptLoop, "sink-" + address);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static byte[] toBytes(String dotted) {
        String[] p = dotted.split("\\.");
        return new byte[] {(byte) Integer.parseInt(p[0]), (byte) Integer.parseInt(p[1]), (byte) Integer.parseInt(p[2]), (byte) Integer.parseInt(p[3])};
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                connections.incrementAndGet();
                s.setSoTimeout(200);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                try {
                    for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                        bytes.addAndGet(n);
                    }
                } catch (IOException timeoutOrReset) {
                    // counted what arrived
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public int connections() {
        return connections.get();
    }

    public int bytes() {
        return bytes.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
