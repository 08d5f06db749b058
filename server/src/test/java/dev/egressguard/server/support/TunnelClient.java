package dev.egressguard.server.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A hand-driven client of a CONNECT tunnel: the CONNECT, then TLS over it with the SNI and ALPN a
 * test chooses (or none), then raw HTTP/1.1 — what a well-behaved client library would never send.
 */
public final class TunnelClient implements AutoCloseable {
    private final Socket socket;
    private SSLSocket tls;

    private TunnelClient(Socket socket) {
        this.socket = socket;
    }

    /** Opens {@code CONNECT authority} through the proxy on {@code proxyPort}; fails unless it answers 200. */
    public static TunnelClient connect(int proxyPort, String authority) throws IOException {
        return connect(proxyPort, authority, 1);
    }

    /** The same from the source address 127.0.0.{@code lastOctet} (a client another identity names). */
    public static TunnelClient connect(int proxyPort, String authority, int lastOctet) throws IOException {
        Socket s = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), proxyPort,
                InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) lastOctet}), 0);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = readHead(s.getInputStream());
        if (!head.startsWith("HTTP/1.1 200")) {
            s.close();
            throw new IOException("CONNECT " + authority + " answered: " + head);
        }
        return new TunnelClient(s);
    }

    /** TLS over the tunnel; {@code sni} null sends none, {@code alpn} empty offers none. Throws when the handshake fails. */
    public SSLSocket handshake(SSLContext context, String sni, List<String> alpn) throws IOException {
        tls = (SSLSocket) context.getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
        SSLParameters p = tls.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        p.setApplicationProtocols(alpn.toArray(String[]::new));
        tls.setSSLParameters(p);
        tls.startHandshake();
        return tls;
    }

    /** Sends raw bytes into the tunnel (before or after TLS). */
    public void send(String text) throws IOException {
        (tls != null ? tls.getOutputStream() : socket.getOutputStream()).write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Everything until the peer closes (bounded: 1 MiB, the socket timeout), as text. */
    public String readAll() throws IOException {
        InputStream in = tls != null ? tls.getInputStream() : socket.getInputStream();
        try {
            return new String(in.readNBytes(1 << 20), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** One response head (to the blank line). */
    public String readHead() throws IOException {
        return readHead(tls != null ? tls.getInputStream() : socket.getInputStream());
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4 && head.size() < 65536) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
