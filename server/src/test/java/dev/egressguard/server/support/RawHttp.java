package dev.egressguard.server.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Raw HTTP/1.1 over plain sockets, for tests that need exact bytes on the wire. Bounded reads, timeouts on every socket. */
public final class RawHttp {
    private RawHttp() {}

    /** An allow rule for 127.0.0.1 on the given ports, as policy YAML. */
    public static String allow(int... ports) {
        StringBuilder p = new StringBuilder();
        for (int port : ports) {
            p.append(p.length() == 0 ? "" : ", ").append(port);
        }
        return "allow:\n  - cidr: 127.0.0.1/32\n    ports: [" + p + "]\n    reason: test origins\n";
    }

    public static Socket client(ProxyHarness h) throws IOException {
        Socket s = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), h.port());
        s.setSoTimeout(5000);
        s.setTcpNoDelay(true);
        return s;
    }

    public static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads up to the end of a head (CRLF CRLF), or EOF; bounded in size. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (head.size() < 65536) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1 : (b == '\n' && (state == 1 || state == 3)) ? state + 1 : (b == '\r' ? 1 : 0);
            if (state == 4) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one response whose body has a Content-Length (or none). */
    public static String readResponse(InputStream in) throws IOException {
        String head = readHead(in);
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    /** Everything until EOF; a read timeout or reset ends it with a marker instead of an exception. */
    public static String readAll(InputStream in) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n = in.read(buf); n >= 0 && all.size() < (4 << 20); n = in.read(buf)) {
                all.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            return all.toString(StandardCharsets.ISO_8859_1) + "<timeout>";
        } catch (IOException e) {
            return all.toString(StandardCharsets.ISO_8859_1) + "<" + e.getClass().getSimpleName() + ">";
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

}
