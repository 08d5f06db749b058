package dev.egressguard.client.fetch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import javax.net.SocketFactory;

/**
 * The tests' last line of defence: a socket factory whose sockets connect only to loopback
 * addresses the test registered (its stand-ins). Anything else, a public address from a vector
 * above all, is recorded and fails with an {@link AssertionError} before a packet leaves, even
 * when the code under test (or its dial remap) has a bug.
 *
 * <p>{@link #remapping} gives a fetch the tests' dial remap as its
 * {@link GuardedFetch.Builder#socketFactory}: the guard judges the real answers of a vector
 * (public addresses, say) while the dial goes to a loopback stand-in, and this guard checks the
 * address actually dialled.
 */
final class LoopbackOnlySocketFactory extends SocketFactory {
    private final Set<InetSocketAddress> allowed;
    private final List<InetSocketAddress> dials;
    private final List<String> violations;
    private final UnaryOperator<InetSocketAddress> remap;

    LoopbackOnlySocketFactory() {
        this(ConcurrentHashMap.newKeySet(), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), UnaryOperator.identity());
    }

    private LoopbackOnlySocketFactory(Set<InetSocketAddress> allowed, List<InetSocketAddress> dials, List<String> violations,
                                      UnaryOperator<InetSocketAddress> remap) {
        this.allowed = allowed;
        this.dials = dials;
        this.violations = violations;
        this.remap = remap;
    }

    /**
     * This factory (the same stand-ins, the same records) with a dial remap in front: a socket's
     * connect goes to {@code remap(address)} instead of the address it was asked for, and that
     * address is the one checked and recorded. The guard's decisions do not change; only the dial
     * moves.
     */
    LoopbackOnlySocketFactory remapping(UnaryOperator<InetSocketAddress> remap) {
        return new LoopbackOnlySocketFactory(allowed, dials, violations, Objects.requireNonNull(remap, "remap"));
    }

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

    /** The address a connect to {@code endpoint} may go to: the remapped one, if allowed. */
    private InetSocketAddress check(SocketAddress endpoint) {
        if (!(endpoint instanceof InetSocketAddress) || ((InetSocketAddress) endpoint).isUnresolved()) {
            violations.add("unresolved " + endpoint);
            throw new AssertionError("dial guard: refused a connect to unresolved " + endpoint);
        }
        InetSocketAddress a = remap.apply((InetSocketAddress) endpoint);
        dials.add(a);
        if (!a.getAddress().isLoopbackAddress() || !allowed.contains(a)) {
            violations.add(a.toString());
            throw new AssertionError("dial guard: refused a connect to " + a + " (not a registered loopback stand-in)");
        }
        return a;
    }

    @Override
    public Socket createSocket() {
        return new Socket() {
            @Override
            public void connect(SocketAddress endpoint, int timeout) throws IOException {
                super.connect(check(endpoint), timeout);
            }
        };
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return createSocket(address, port);
    }

    private Socket connected(InetSocketAddress endpoint) throws IOException {
        Socket s = createSocket();
        s.connect(endpoint);
        return s;
    }
}
