package dev.egressguard.server.support;

import static dev.egressguard.server.support.RawHttp.readHead;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A raw origin on 127.0.0.1: every connection runs a script over plain sockets (so a test can
 * answer with exactly the bytes it needs), and every byte it reads is recorded per connection.
 */
public final class ScriptedUpstream implements AutoCloseable {
    public interface Script {
        void run(int index, InputStream in, OutputStream out) throws Exception;
    }

    private final ServerSocket server;
    private final List<ByteArrayOutputStream> received = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public ScriptedUpstream(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                ByteArrayOutputStream record = new ByteArrayOutputStream();
                int index = received.size();
                received.add(record);
                sockets.add(s);
                Thread t = new Thread(() -> {
                    try (Socket c = s) {
                        c.setSoTimeout(8000);
                        script.run(index, new Tee(c.getInputStream(), record), c.getOutputStream());
                    } catch (Exception ignored) {
                        // the script ends with its connection
                    }
                }, "scripted-upstream-" + index);
                t.setDaemon(true);
                t.start();
            }
        }, "scripted-upstream-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public int connections() {
        return received.size();
    }

    public String received(int index) {
        ByteArrayOutputStream r = received.get(index);
        synchronized (r) {
            return r.toString(StandardCharsets.ISO_8859_1);
        }
    }

    public List<String> received() {
        List<String> all = new java.util.ArrayList<>();
        for (int i = 0; i < received.size(); i++) {
            all.add(received(i));
        }
        return all;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static final class Tee extends FilterInputStream {
        private final ByteArrayOutputStream record;

        Tee(InputStream in, ByteArrayOutputStream record) {
            super(in);
            this.record = record;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                synchronized (record) {
                    record.write(b);
                }
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                synchronized (record) {
                    record.write(b, off, n);
                }
            }
            return n;
        }
    }

    /** A script that answers each request head on a connection with {@code responder(head)}; null ends it. */
    public static Script respondToEachHead(Function<String, String> responder) {
        return (index, in, out) -> {
            for (int i = 0; i < 20; i++) {
                String head = readHead(in);
                if (head.isEmpty()) {
                    return;
                }
                String response = responder.apply(head);
                if (response == null) {
                    return;
                }
                out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        };
    }
}
