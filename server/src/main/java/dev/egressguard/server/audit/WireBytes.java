package dev.egressguard.server.audit;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text for the audit log from bytes a client sent. Netty hands the request line over as ISO-8859-1:
 * one char per byte, so a UTF-8 host arrives as mojibake ({@code bücher} as {@code bÃ¼cher}).
 * {@link #asText} turns those chars back into the bytes and reads them as UTF-8, so the log shows
 * what the client sent, never a second, wrong decoding of it.
 */
public final class WireBytes {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private WireBytes() {}

    /**
     * The bytes held one per char in {@code oneCharPerByte}, decoded as UTF-8; each byte that is not
     * part of a well-formed UTF-8 sequence (a stray continuation byte, a truncated or overlong
     * sequence, an encoded surrogate) becomes the four characters {@code \xNN}, as Python's
     * {@code backslashreplace} writes it. ASCII comes back as it is, the same instance, without
     * any copy. Text that already holds a char above U+00FF is not one char per byte and comes
     * back unchanged. Controls stay controls: the JSON writer escapes them. Null stays null.
     */
    public static String asText(String oneCharPerByte) {
        if (oneCharPerByte == null) {
            return null;
        }
        int n = oneCharPerByte.length();
        int firstHigh = -1;
        for (int i = 0; i < n; i++) {
            char c = oneCharPerByte.charAt(i);
            if (c > 0xff) {
                return oneCharPerByte;
            }
            if (c >= 0x80 && firstHigh < 0) {
                firstHigh = i;
            }
        }
        return firstHigh < 0 ? oneCharPerByte : decode(oneCharPerByte.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length * 4);
        while (in.hasRemaining()) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) {
                for (int i = 0; i < r.length(); i++) {
                    int b = in.get() & 0xff;
                    out.put('\\').put('x').put(HEX[b >> 4]).put(HEX[b & 0xf]);
                }
            } else if (r.isUnderflow()) {
                break;
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
