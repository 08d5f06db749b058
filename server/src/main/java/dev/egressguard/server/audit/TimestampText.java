package dev.egressguard.server.audit;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * ISO-8601 UTC timestamps with millisecond precision ({@code 2026-11-25T04:43:42.573Z}), the date
 * and time of the current second formatted once and reused. Not thread-safe: one per writer.
 */
final class TimestampText {
    private long second = Long.MIN_VALUE;
    private String prefix; // "2026-11-25T04:43:42."

    void append(StringBuilder sb, Instant at) {
        long s = at.getEpochSecond();
        if (s != second) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(s, 0, ZoneOffset.UTC);
            prefix = String.format("%04d-%02d-%02dT%02d:%02d:%02d.", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                    t.getHour(), t.getMinute(), t.getSecond());
            second = s;
        }
        int ms = at.getNano() / 1_000_000;
        sb.append(prefix).append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10)).append((char) ('0' + ms % 10)).append('Z');
    }
}
