package dev.egressguard.server.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * ISO-8601 UTC timestamps with millisecond precision ({@code 2026-11-25T04:43:42.573Z}), the date
 * and time of the current second formatted once and reused, the text kept in one buffer. Not
 * thread-safe: one per writer.
 */
final class TimestampText {
    private char[] text = new char[24]; // "2026-11-25T04:43:42." and "573Z"
    private int prefix;
    private long second = Long.MIN_VALUE;

    /** Writes {@code at} as a JSON string value. */
    void write(JsonGenerator g, Instant at) throws IOException {
        int length = fill(at); // before reading the buffer: fill may replace it
        g.writeString(text, 0, length);
    }

    /** {@code at} as text. */
    String format(Instant at) {
        int length = fill(at);
        return new String(text, 0, length);
    }

    private int fill(Instant at) {
        long s = at.getEpochSecond();
        if (s != second) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(s, 0, ZoneOffset.UTC);
            String date = String.format("%04d-%02d-%02dT%02d:%02d:%02d.", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                    t.getHour(), t.getMinute(), t.getSecond());
            prefix = date.length(); // 20, unless the year is outside 0000..9999
            if (text.length != prefix + 4) {
                text = new char[prefix + 4];
            }
            date.getChars(0, prefix, text, 0);
            second = s;
        }
        int ms = at.getNano() / 1_000_000;
        text[prefix] = (char) ('0' + ms / 100);
        text[prefix + 1] = (char) ('0' + ms / 10 % 10);
        text[prefix + 2] = (char) ('0' + ms % 10);
        text[prefix + 3] = 'Z';
        return text.length;
    }
}
