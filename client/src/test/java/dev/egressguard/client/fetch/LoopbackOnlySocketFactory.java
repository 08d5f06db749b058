package dev.egressguard.client.fetch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;

/**
 * The tests' last line of defence: a socket factory whose sockets connect only to loopback
 * addresses the test registered (its stand-ins). Anything else, a public address from a vector
 * above all, is recorded and fails with an {@link AssertionError} before a packet leaves, even
 * when the code under test (or its dial remap) has a bug.
 */
final class LoopbackOnlySocketFactory extends SocketFactory {
    private final Set<InetSocketAddress> allowed = ConcurrentHashMap.newKeySet();
    private final List<InetSocketAddress> dials = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    /** Lets sockets connect to {@code endpoint}, which must be a loopback address. */
    LoopbackOnlySocketFactory allow(InetSocketAddress endpoint) {
        if (endpoint.isUnresolved() || !endpoint.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("dial guard: " + endpoint + " (expected: a loopback stand-in)");
        }
        allowed.add(endpoint);
        return this;
    }

    /** Every endpoint a socket tried to connect to, in order (refused ones included). */
    List<InetSocketAddress> dials() {
        return List.copyOf(dials);
    }

    /** Connects that were refused; a passing test has none. */
    List<String> violations() {
        return List.copyOf(violations);
    }

    private void check(SocketAddress endpoint) {
        if (!(endpoint instanceof InetSocketAddress) || ((InetSocketAddress) endpoint).isUnresolved()) {
            violations.add("unresolved " + endpoint);
            throw new AssertionError("dial guard: refused a connect to unresolved " + endpoint);
        }
        InetSocketAddress a = (InetSocketAddress) endpoint;
        dials.add(a);
        if (!a.getAddress().isLoopbackAddress() || !allowed.contains(a)) {
            violations.add(a.toString());
            throw new AssertionError("dial guard: refused a connect to " + a + " (not a registered loopback stand-in)");
        }
    }

    @Override
    public Socket createSocket() {
        return new Socket() {
            @Override
            public void connect(SocketAddress endpoint, int timeout) throws IOException {
                check(endpoint);
                super.connect(endpoint, timeout);
            }
        };
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket s = createSocket();
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return createSocket(address, port);
    }
}
