package dev.egressguard.cli.validate;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** An HTTP/1.x response's status line and headers (first value of each, names lowercased), read within a deadline. */
record ResponseHead(int status, Map<String, String> headers) {
    static final int MAX_HEAD_BYTES = 64 * 1024;

    ResponseHead {
        headers = Map.copyOf(headers);
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /**
     * Reads one head, byte by byte so that nothing past it is consumed (a tunnel's bytes follow).
     * Interim {@code 100 Continue} heads are skipped. Throws {@link SocketTimeoutException} at the
     * deadline and {@link IOException} for a close or for text that is not an HTTP response.
     */
    static ResponseHead read(Socket socket, long deadlineNanos) throws IOException {
        for (int interim = 0; interim < 4; interim++) {
            ResponseHead h = parse(readHead(socket, deadlineNanos));
            if (h.status != 100) {
                return h;
            }
        }
        throw new IOException("more than 4 interim 100 responses");
    }

    private static String readHead(Socket socket, long deadlineNanos) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (head.length() < MAX_HEAD_BYTES) {
            long left = (deadlineNanos - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("no complete response head in time");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int b = in.read();
            if (b < 0) {
                throw new IOException(head.length() == 0 ? "the proxy closed the connection without an answer"
                        : "the proxy closed the connection inside the response head");
            }
            head.append((char) b);
            int n = head.length();
            if (n >= 4 && head.charAt(n - 1) == '\n' && head.charAt(n - 2) == '\r' && head.charAt(n - 3) == '\n' && head.charAt(n - 4) == '\r') {
                return head.toString();
            }
        }
        throw new IOException("response head over " + MAX_HEAD_BYTES + " bytes");
    }

    static ResponseHead parse(String head) throws IOException {
        String[] lines = head.split("\r\n");
        String statusLine = lines[0];
        if (!statusLine.matches("HTTP/1\\.[01] [0-9]{3}( .*)?")) {
            throw new IOException("not an HTTP response: \"" + printable(statusLine) + "\"");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
        }
        return new ResponseHead(status, headers);
    }

    /** At most 80 characters, control characters escaped: proxy text is untrusted. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 80; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.toString();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
