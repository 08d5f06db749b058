package dev.egressguard.cli.validate;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpLiterals;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback listeners that must never be reached: one per canary probe, on its own port, on
 * 127.0.0.1 and ::1 (and the probe's own loopback address, such as 127.255.255.254). Any
 * connection to a probe's port is that probe's leak, whatever the proxy did to the request on the
 * way; the run's token, when it arrives, shows the request came through unchanged. A canary
 * answers a complete request head with a short 200 and closes, so a leaking proxy answers fast.
 * One selector thread serves all of them; every connection is bounded in bytes and closed after
 * its answer.
 */
public final class Canary implements AutoCloseable {
    static final String ANSWER_BODY = "egressguard validate canary: this request reached a loopback listener through the proxy\n";
    private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + ANSWER_BODY.length()
            + "\r\nConnection: close\r\n\r\n" + ANSWER_BODY).getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_BYTES_PER_CONNECTION = 16 * 1024;
    private static final int MAX_OPEN_CONNECTIONS = 256;
    private static final int PORT_ATTEMPTS = 20;
    private static final String V4 = "127.0.0.1";
    private static final String V6 = "::1";

    /** One probe's listeners and what they saw. */
    private static final class Slot {
        final List<ServerSocketChannel> listeners = new ArrayList<>();
        final List<String> listening = new ArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        volatile boolean tokenSeen;
        volatile String reachedAt;
        boolean covered = true;
        int port;
    }

    /** One accepted connection: its bytes so far, looking for the token and the end of a request head. */
    private static final class Connection {
        final Slot slot;
        final StringBuilder seen = new StringBuilder();
        ByteBuffer answer;

        Connection(Slot slot) {
            this.slot = slot;
        }
    }

    private final String token;
    private final Map<String, Slot> slots = new HashMap<>();
    private final Selector selector;
    private final Thread loop;
    private volatile boolean open = true;

    private Canary(String token, Selector selector) {
        this.token = token;
        this.selector = selector;
        this.loop = new Thread(this::serve, "validate-canary");
        this.loop.setDaemon(true);
    }

    /** Opens a canary for every probe that {@link Probe#usesCanary() uses one}. */
    public static Canary open(String token, List<Probe> probes) throws IOException {
        Canary c = new Canary(token, Selector.open());
        try {
            for (Probe p : probes) {
                if (p.usesCanary()) {
                    c.slots.put(p.id(), c.bind(p.alsoBind()));
                }
            }
            for (Slot s : c.slots.values()) {
                for (ServerSocketChannel l : s.listeners) {
                    l.register(c.selector, SelectionKey.OP_ACCEPT, s);
                }
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.loop.start();
        return c;
    }

    /** Binds one port on 127.0.0.1, ::1 and {@code alsoBind}, retrying a bounded number of ports until all that exist are free. */
    private Slot bind(Optional<String> alsoBind) throws IOException {
        List<String> addresses = new ArrayList<>(List.of(V4, V6));
        alsoBind.filter(a -> !addresses.contains(a)).ifPresent(addresses::add);
        IOException last = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            Slot s = new Slot();
            try {
                for (String a : addresses) {
                    bindOne(s, a, alsoBind.map(a::equals).orElse(a.equals(V4)));
                }
                return s;
            } catch (BindException inUse) {
                last = inUse;
                closeAll(s);
            }
        }
        throw new IOException("canary: no port free on " + addresses + " after " + PORT_ATTEMPTS + " tries", last);
    }

    /**
     * Listens on {@code address} at the slot's port (any port for the first). A port in use throws
     * {@link BindException} so the caller tries another; an address this machine does not have is
     * skipped, and uncovers the slot when it is the one the destination lands on.
     */
    private static void bindOne(Slot s, String address, boolean required) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.configureBlocking(false);
            ch.bind(new InetSocketAddress(literal(address), s.port), 64);
        } catch (BindException e) {
            ch.close();
            if (s.port == 0 || String.valueOf(e.getMessage()).contains("in use")) {
                throw e;
            }
            s.covered &= !required;
            return;
        } catch (IOException e) {
            ch.close();
            s.covered &= !required;
            return;
        }
        s.port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        s.listeners.add(ch);
        s.listening.add(Hostnames.bracketIpv6(address) + ":" + s.port);
    }

    /** A loopback literal as an address, without any name lookup. */
    private static InetAddress literal(String address) {
        return IpLiterals.parse(address).toInetAddress();
    }

    /** The port the probe must aim at. */
    public int port(Probe probe) {
        return slot(probe).port;
    }

    public CanaryEvidence evidence(Probe probe) {
        Slot s = slot(probe);
        return new CanaryEvidence(s.connections.get(), s.tokenSeen, Optional.ofNullable(s.reachedAt), s.listening, s.covered);
    }

    private Slot slot(Probe probe) {
        Slot s = slots.get(probe.id());
        if (s == null) {
            throw new IllegalArgumentException("probe: " + probe.id() + " (expected: a probe with a canary)");
        }
        return s;
    }

    private void serve() {
        while (open) {
            try {
                selector.select(100);
            } catch (IOException e) {
                return;
            }
            if (!open) {
                return;
            }
            for (SelectionKey key : selector.selectedKeys()) {
                try {
                    if (key.isValid() && key.isAcceptable()) {
                        accept(key);
                    } else if (key.isValid() && key.isReadable()) {
                        read(key);
                    } else if (key.isValid() && key.isWritable()) {
                        write(key);
                    }
                } catch (IOException e) {
                    closeQuietly(key);
                }
            }
            selector.selectedKeys().clear();
        }
    }

    private void accept(SelectionKey key) throws IOException {
        Slot s = (Slot) key.attachment();
        SocketChannel ch = ((ServerSocketChannel) key.channel()).accept();
        if (ch == null) {
            return;
        }
        s.connections.incrementAndGet();
        if (s.reachedAt == null) {
            InetSocketAddress local = (InetSocketAddress) ch.getLocalAddress();
            String a = local.getAddress().getHostAddress();
            s.reachedAt = Hostnames.bracketIpv6(IpLiterals.parse(a).toString()) + ":" + local.getPort();
        }
        if (selector.keys().size() > MAX_OPEN_CONNECTIONS) {
            ch.close(); // counted: that is the evidence; serving it is not needed
            return;
        }
        ch.configureBlocking(false);
        ch.register(selector, SelectionKey.OP_READ, new Connection(s));
    }

    private void read(SelectionKey key) throws IOException {
        Connection c = (Connection) key.attachment();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        int n = ((SocketChannel) key.channel()).read(buf);
        if (n < 0) {
            closeQuietly(key);
            return;
        }
        c.seen.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
        if (c.seen.indexOf(token) >= 0) {
            c.slot.tokenSeen = true;
        }
        if (c.seen.indexOf("\r\n\r\n") >= 0 && c.answer == null) {
            c.answer = ByteBuffer.wrap(ANSWER);
            key.interestOps(SelectionKey.OP_WRITE);
            write(key);
        } else if (c.seen.length() > MAX_BYTES_PER_CONNECTION) {
            closeQuietly(key);
        }
    }

    private void write(SelectionKey key) throws IOException {
        Connection c = (Connection) key.attachment();
        ((SocketChannel) key.channel()).write(c.answer);
        if (!c.answer.hasRemaining()) {
            closeQuietly(key);
        }
    }

    private static void closeQuietly(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // closing a canary connection: nothing to report
        }
    }

    private static void closeAll(Slot s) {
        for (ServerSocketChannel l : s.listeners) {
            try {
                l.close();
            } catch (IOException ignored) {
                // releasing a port we are giving up
            }
        }
    }

    @Override
    public void close() {
        open = false;
        selector.wakeup();
        try {
            loop.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            closeQuietly(k);
        }
        slots.values().forEach(Canary::closeAll);
        try {
            selector.close();
        } catch (IOException ignored) {
            // the canary is gone either way
        }
    }
}
