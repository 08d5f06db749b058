package dev.egressguard.cli;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an audit log line by line as bytes: plain JSON lines, or gzip-compressed (the proxy rolls
 * its log to {@code .gz}; recognised by content, not name). Lines longer than
 * {@link #MAX_LINE_BYTES} are skipped whole and reported as over-long, so memory stays bounded
 * whatever the input; a truncated gzip ends the file early, as a file still being written may.
 */
final class AuditLines {
    /** Longest line read; an audit event is far shorter. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    /** What to do with each line. */
    interface Sink {
        /** One complete line, without its line break: {@code length} bytes of {@code line}. */
        void line(byte[] line, int length);

        /** A line over {@link #MAX_LINE_BYTES}, skipped. */
        void overLong();
    }

    private AuditLines() {}

    /** Reads {@code in} to its end (closing it is the caller's); returns false when a gzip stream was cut short. */
    static boolean read(InputStream in, Sink sink) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        InputStream source = gzip ? new BufferedInputStream(new GZIPInputStream(buffered, 64 * 1024), 64 * 1024) : buffered;
        try {
            split(source, sink);
            return true;
        } catch (EOFException | ZipException e) {
            if (gzip) {
                return false;
            }
            throw e;
        }
    }

    private static void split(InputStream in, Sink sink) throws IOException {
        byte[] line = new byte[4096];
        int length = 0;
        boolean overLong = false;
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                if (overLong) {
                    sink.overLong();
                } else if (length > 0) {
                    sink.line(line, length);
                }
                length = 0;
                overLong = false;
                continue;
            }
            if (overLong) {
                continue;
            }
            if (length == MAX_LINE_BYTES) {
                overLong = true;
                continue;
            }
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, Math.min(line.length * 2, MAX_LINE_BYTES));
            }
            line[length++] = (byte) c;
        }
        if (overLong) {
            sink.overLong();
        } else if (length > 0) {
            sink.line(line, length);
        }
    }
}
