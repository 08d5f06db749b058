package dev.egressguard.server.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real DNS server on loopback UDP, for rebinding tests: each name has a queue of answer sets
 * (A and AAAA records, TTL 0); a query takes the next set, the last set repeats. Unknown names get
 * NXDOMAIN. Only the parts of RFC 1035 a resolver needs.
 */
public final class TestDnsServer implements AutoCloseable {
    private static final int TYPE_A = 1;
    private static final int TYPE_AAAA = 28;

    private final DatagramSocket socket;
    private final Map<String, Deque<List<InetAddress>>> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
    private final Map<String, List<InetAddress>> lastServed = new ConcurrentHashMap<>();
    private final java.util.Set<String> silent = ConcurrentHashMap.newKeySet();
    private final Thread loop;

    public TestDnsServer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
        loop = new Thread(this::serve, "test-dns");
        loop.setDaemon(true);
        loop.start();
    }

    /** Queries for {@code name} get no reply at all (a resolver timeout). */
    public void silence(String name) {
        silent.add(name.toLowerCase(Locale.ROOT));
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** Answer sets for {@code name}, served in turn; the last one repeats. IP literals only. */
    @SafeVarargs
    public final void answer(String name, List<String>... sets) {
        Deque<List<InetAddress>> q = new ArrayDeque<>();
        for (List<String> set : sets) {
            List<InetAddress> addresses = new ArrayList<>();
            for (String a : set) {
                addresses.add(a.toLowerCase(Locale.ROOT).startsWith("::ffff:") && a.indexOf('.') > 0 ? mappedAaaa(a) : dev.egressguard.core.net.IpLiterals.parse(a).toInetAddress());
            }
            q.add(addresses);
        }
        answers.put(name.toLowerCase(Locale.ROOT), q);
    }

    /**
     * An IPv4-mapped IPv6 answer served as the AAAA record it is (16 bytes), not as an A record: the
     * JDK would turn {@code ::ffff:a.b.c.d} into an IPv4 address on parsing.
     */
    private static InetAddress mappedAaaa(String text) {
        byte[] v4 = dev.egressguard.core.net.IpLiterals.parse(text.substring(7)).toInetAddress().getAddress();
        byte[] v6 = new byte[16];
        v6[10] = (byte) 0xff;
        v6[11] = (byte) 0xff;
        System.arraycopy(v4, 0, v6, 12, 4);
        try {
            return java.net.Inet6Address.getByAddress(null, v6, -1);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** How many A queries arrived for {@code name} (each resolution asks A once). */
    public int queries(String name) {
        AtomicInteger n = queries.get(name.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    private void serve() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                byte[] reply = reply(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
                if (reply != null) {
                    socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                }
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] reply(ByteBuffer in) {
        int id = in.getShort() & 0xffff;
        int flags = in.getShort() & 0xffff;
        int qdcount = in.getShort() & 0xffff;
        in.getShort();
        in.getShort();
        in.getShort();
        if (qdcount != 1) {
            return null;
        }
        int qStart = in.position();
        StringBuilder name = new StringBuilder();
        for (int len = in.get() & 0xff; len > 0; len = in.get() & 0xff) {
            byte[] label = new byte[len];
            in.get(label);
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(label, java.nio.charset.StandardCharsets.US_ASCII));
        }
        int qtype = in.getShort() & 0xffff;
        in.getShort();
        int qEnd = in.position();
        String key = name.toString().toLowerCase(Locale.ROOT);
        if (silent.contains(key)) {
            return null;
        }
        Deque<List<InetAddress>> q = answers.get(key);
        List<InetAddress> set = List.of();
        if (q != null) {
            synchronized (q) {
                if (qtype == TYPE_A) {
                    queries.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                    set = q.size() > 1 ? q.poll() : q.peek();
                    lastServed.put(key, set);
                } else {
                    set = lastServed.getOrDefault(key, q.peek()); // AAAA follows the set the last A query took
                }
            }
        }
        List<byte[]> records = new ArrayList<>();
        for (InetAddress a : set) {
            byte[] raw = a.getAddress();
            if ((qtype == TYPE_A && raw.length == 4) || (qtype == TYPE_AAAA && raw.length == 16)) {
                records.add(raw);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(512);
        out.putShort((short) id);
        int rcode = q == null ? 3 : 0;
        out.putShort((short) (0x8000 | (flags & 0x0100) | 0x0400 | 0x0080 | rcode));
        out.putShort((short) 1);
        out.putShort((short) records.size());
        out.putShort((short) 0);
        out.putShort((short) 0);
        out.put(in.array(), in.arrayOffset() + qStart, qEnd - qStart);
        for (byte[] raw : records) {
            out.putShort((short) 0xc00c);
            out.putShort((short) (raw.length == 4 ? TYPE_A : TYPE_AAAA));
            out.putShort((short) 1);
            out.putInt(0);
            out.putShort((short) raw.length);
            out.put(raw);
        }
        byte[] reply = new byte[out.position()];
        out.flip();
        out.get(reply);
        return reply;
    }

    @Override
    public void close() {
        socket.close();
    }
}
