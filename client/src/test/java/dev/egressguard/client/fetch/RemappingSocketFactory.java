package dev.egressguard.client.fetch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import java.util.function.UnaryOperator;
import javax.net.SocketFactory;

/**
 * The tests' dial remap, given to a fetch as its {@link GuardedFetch.Builder#socketFactory}:
 * sockets from {@code delegate} whose connect goes to {@code remap(address)} instead of the
 * vetted address (or proxy address) OkHttp chose, so that a test can judge the real answers of a
 * vector (public addresses, say) while dialling a loopback stand-in. The guard's decisions do not
 * change; only the dial moves. The delegate's socket is the one that connects, so a
 * {@link LoopbackOnlySocketFactory} as the delegate sees the final address.
 */
final class RemappingSocketFactory extends SocketFactory {
    private final SocketFactory delegate;
    private final UnaryOperator<InetSocketAddress> remap;

    RemappingSocketFactory(SocketFactory delegate, UnaryOperator<InetSocketAddress> remap) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.remap = Objects.requireNonNull(remap, "remap");
    }

    @Override
    public Socket createSocket() throws IOException {
        return new RemappedSocket(delegate.createSocket(), remap);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        throw new IOException("unresolved connect refused: the guard dials vetted addresses only (" + host + ":" + port + ")");
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
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }
}
