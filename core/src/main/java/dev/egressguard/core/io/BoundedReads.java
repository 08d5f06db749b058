package dev.egressguard.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads that stop at a size, whatever the source is: a regular file, a pipe, {@code /dev/stdin},
 * {@code /dev/zero}. A file's reported size means nothing for the last three, so these never ask
 * for it; they read at most one byte past the limit and fail if that byte exists.
 */
public final class BoundedReads {
    /** More than the limit was there to read. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long limit;

        TooLargeException(String what, long limit) {
            super(what + " is larger than " + limit + " bytes");
            this.limit = limit;
        }

        /** The limit that was exceeded, in bytes. */
        public long limit() {
            return limit;
        }
    }

    private BoundedReads() {}

    /**
     * All of {@code file}, if it holds at most {@code maxBytes}.
     *
     * @throws TooLargeException when it holds more (after reading {@code maxBytes + 1} bytes, no more)
     */
    public static byte[] readFile(Path file, int maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, maxBytes, file.toString());
        }
    }

    /**
     * All of {@code in} up to its end, if that is at most {@code maxBytes} away; {@code what} names
     * the source in the message. The stream is left open.
     *
     * @throws TooLargeException when there is more (after reading {@code maxBytes + 1} bytes, no more)
     */
    public static byte[] read(InputStream in, int maxBytes, String what) throws IOException {
        if (maxBytes < 0 || maxBytes == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: 0..2147483646)");
        }
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new TooLargeException(what, maxBytes);
        }
        return bytes;
    }
}
