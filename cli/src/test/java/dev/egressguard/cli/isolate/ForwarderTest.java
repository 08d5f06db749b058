package dev.egressguard.cli.isolate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two forwarders of {@code run --isolate} chained as they run: a client on TCP, the inner
 * forwarder to a Unix socket, the outer forwarder from it to a TCP upstream. Real sockets on
 * loopback and in a temporary directory.
 */
class ForwarderTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private final CopyOnWriteArrayList<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<IOException> dialFailures = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** Starts inner (TCP to Unix socket) and outer (Unix socket to {@code upstreamPort}) forwarders; returns the TCP port. */
    private int chain(int upstreamPort) throws IOException {
        Path socket = dir.resolve("http.sock");
        ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        unix.bind(UnixDomainSocketAddress.of(socket));
        open.add(Forwarder.start("outer", unix, () -> {
            SocketChannel ch = SocketChannel.open();
            ch.socket().connect(new InetSocketAddress(LOOPBACK, upstreamPort), 5000);
            return ch;
        }, dialFailures::add));
        ServerSocketChannel tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
        tcp.bind(new InetSocketAddress(LOOPBACK, 0));
        open.add(Forwarder.start("inner", tcp, () -> SocketChannel.open(UnixDomainSocketAddress.of(socket)), e -> { }));
        return ((InetSocketAddress) tcp.getLocalAddress()).getPort();
    }

    /** An upstream that reads a request to its end, then answers with what it counted and closes. */
    private ServerSocket countingUpstream() throws IOException {
        ServerSocket server = new ServerSocket(0, 8, LOOPBACK);
        open.add(server);
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                long n = s.getInputStream().transferTo(OutputStream.nullOutputStream());
                s.getOutputStream().write(("got " + n + " bytes\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException ignored) {
                // the test fails on what the client saw
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void aHalfCloseReachesTheUpstreamAndItsAnswerStillComesBack() throws Exception {
        int port = chain(countingUpstream().getLocalPort());
        try (Socket client = new Socket(LOOPBACK, port)) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput(); // the request is complete; the answer must still arrive
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("got 5 bytes\n");
        }
        assertThat(dialFailures).isEmpty();
    }

    @Test
    void aMebibyteEachWayArrivesIntactWhileBothDirectionsFlow() throws Exception {
        ServerSocket echo = new ServerSocket(0, 8, LOOPBACK);
        open.add(echo);
        Thread echoer = new Thread(() -> {
            try (Socket s = echo.accept()) {
                s.getInputStream().transferTo(s.getOutputStream());
                s.shutdownOutput();
            } catch (IOException ignored) {
                // the client's comparison fails
            }
        });
        echoer.setDaemon(true);
        echoer.start();
        int port = chain(echo.getLocalPort());
        byte[] sent = new byte[1 << 20];
        new Random(13).nextBytes(sent);
        try (Socket client = new Socket(LOOPBACK, port)) {
            client.setSoTimeout(20_000);
            CountDownLatch written = new CountDownLatch(1);
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(sent);
                    client.shutdownOutput();
                } catch (IOException ignored) {
                    // the comparison fails
                }
                written.countDown();
            });
            writer.setDaemon(true);
            writer.start();
            byte[] received = client.getInputStream().readAllBytes();
            assertThat(written.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(received.length).isEqualTo(sent.length);
            assertThat(Arrays.equals(received, sent)).as("same bytes, same order").isTrue();
        }
    }

    @Test
    void anUnreachableUpstreamResetsTheClientAndIsReported() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closedPort = s.getLocalPort();
        }
        int port = chain(closedPort);
        try (Socket client = new Socket(LOOPBACK, port)) {
            client.setSoTimeout(10_000);
            InputStream in = client.getInputStream();
            int first;
            try {
                client.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                first = in.read();
            } catch (IOException reset) {
                first = -1;
            }
            assertThat(first).as("no byte from an upstream that is not there").isEqualTo(-1);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (dialFailures.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(dialFailures).hasSize(1);
        assertThat(dialFailures.get(0)).isInstanceOf(ConnectException.class);
    }
}
