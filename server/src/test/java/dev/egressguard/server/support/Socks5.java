package dev.egressguard.server.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A byte-exact SOCKS5 client for tests (RFC 1928, RFC 1929): greets, authenticates when given
 * credentials, sends one CONNECT with a domain name (socks5h) or an IP literal, and reads the
 * reply. Bounded reads, a timeout on the socket.
 */
public final class Socks5 {
    /** The proxy's reply to the command, and the connection (open on success). */
    public record Reply(int code, Socket socket) {}

    private Socks5() {}

    public static Reply connect(InetSocketAddress proxy, String host, int port, String user, String password) throws IOException {
        Socket s = new Socket();
        s.connect(proxy, 5000);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(user == null ? new byte[] {5, 1, 0} : new byte[] {5, 2, 0, 2});
        out.flush();
        byte[] choice = new byte[2];
        in.readFully(choice);
        if (choice[1] == (byte) 0xff) {
            return new Reply(-1, s);
        }
        if (choice[1] == 2) {
            byte[] u = user == null ? new byte[0] : user.getBytes(StandardCharsets.US_ASCII);
            byte[] p = password == null ? new byte[0] : password.getBytes(StandardCharsets.US_ASCII);
            out.write(1);
            out.write(u.length);
            out.write(u);
            out.write(p.length);
            out.write(p);
            out.flush();
            byte[] status = new byte[2];
            in.readFully(status);
            if (status[1] != 0) {
                return new Reply(-2, s);
            }
        }
        out.write(request(host, port));
        out.flush();
        byte[] head = new byte[4];
        in.readFully(head);
        int skip = head[3] == 1 ? 4 : head[3] == 4 ? 16 : in.readUnsignedByte();
        in.readFully(new byte[skip + 2]);
        return new Reply(head[1] & 0xff, s);
    }

    static byte[] request(String host, int port) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(new byte[] {5, 1, 0});
        if (host.matches("[0-9.]+")) {
            b.write(1);
            b.write(InetAddress.getByName(host).getAddress()); // a dotted-quad literal: no lookup
        } else if (host.indexOf(':') >= 0) {
            b.write(4);
            b.write(InetAddress.getByName(host).getAddress()); // an IPv6 literal: no lookup
        } else {
            byte[] name = host.getBytes(StandardCharsets.ISO_8859_1);
            b.write(3);
            b.write(name.length);
            b.write(name);
        }
        b.write(port >> 8);
        b.write(port & 0xff);
        return b.toByteArray();
    }
}
