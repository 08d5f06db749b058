package dev.egressguard.server;

import io.netty.buffer.ByteBuf;

/**
 * Byte-level checks of a request head that Netty's decoder is lenient about, run on the raw bytes
 * before it parses them: the request line must be exactly {@code method SP target SP HTTP/d.d}
 * (one space each, no tab, no control byte anywhere), and no header line may start with SP or
 * HTAB (obsolete line folding). Each check answers as soon as the bytes seen prove a violation,
 * so a head trickled in byte by byte is judged the same as one read at once.
 */
final class RequestHeadScan {
    /** The head seen so far is fine (or not complete enough to judge). */
    static final String OK = null;
    static final String REQUEST_LINE = "request:request-line";
    /** A request line longer than {@link #MAX_REQUEST_LINE} bytes (refused as too large, a 431). */
    static final String REQUEST_LINE_TOO_LONG = "request:request-line-too-long";
    /**
     * The longest request line, its CR included. Judged here rather than by Netty's line limit, so
     * that how the reads split a long line never changes the answer: a line whose first
     * {@code MAX_REQUEST_LINE} bytes are malformed is a 400, one that is only too long a 431.
     */
    static final int MAX_REQUEST_LINE = 8192;
    static final String OBS_FOLD = "request:obs-fold";

    private RequestHeadScan() {}

    /**
     * Checks a head that starts at the reader index with its request line (empty lines before it
     * allowed): the line's shape, then every complete header line after it.
     */
    static String fromRequestLine(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end && (buf.getByte(i) == '\r' || buf.getByte(i) == '\n')) {
            i++;
        }
        int lineEnd = indexOf(buf, i, end, (byte) '\n');
        int checkTo = lineEnd < 0 ? end : lineEnd;
        boolean tooLong = checkTo - i > MAX_REQUEST_LINE;
        if (!requestLineMayBe(buf, i, tooLong ? i + MAX_REQUEST_LINE : checkTo, lineEnd >= 0 && !tooLong)) {
            return REQUEST_LINE;
        }
        if (tooLong) {
            return REQUEST_LINE_TOO_LONG;
        }
        return lineEnd < 0 ? OK : foldFrom(buf, lineEnd + 1);
    }

    /** Checks header lines starting at the reader index, which is the start of a line. */
    static String fromHeaderLine(ByteBuf buf) {
        return foldFrom(buf, buf.readerIndex());
    }

    /** True when a line starting with SP or HTAB appears before the head's empty line. */
    private static String foldFrom(ByteBuf buf, int lineStart) {
        int end = buf.writerIndex();
        int i = lineStart;
        while (i < end) {
            byte first = buf.getByte(i);
            if (first == ' ' || first == '\t') {
                return OBS_FOLD;
            }
            if (first == '\n' || (first == '\r' && i + 1 < end && buf.getByte(i + 1) == '\n')) {
                return OK; // the empty line: the head ends here, a body may follow
            }
            int next = indexOf(buf, i, end, (byte) '\n');
            if (next < 0) {
                return OK;
            }
            i = next + 1;
        }
        return OK;
    }

    /**
     * Whether {@code [from, to)} is, or can still become, {@code token SP target SP HTTP/d.d CR}
     * ({@code complete}: the LF at {@code to} was seen, so it must be exactly that).
     */
    private static boolean requestLineMayBe(ByteBuf buf, int from, int to, boolean complete) {
        int part = 0; // 0 method, 1 target, 2 version
        int partStart = from;
        for (int i = from; i < to; i++) {
            int b = buf.getByte(i) & 0xff;
            if (b == ' ') {
                if (i == partStart || part == 2) {
                    return false; // an empty part, a double space, or a space in the version
                }
                part++;
                partStart = i + 1;
                continue;
            }
            if (part == 0 && !isTchar(b)) {
                return false;
            }
            if (part == 1 && (b < 0x21 || b == 0x7f)) {
                return false; // control bytes and tabs never belong in a target; non-ASCII is judged later
            }
            if (part == 2 && !versionByteMayBe(b, i - partStart)) {
                return false;
            }
        }
        if (!complete) {
            return true;
        }
        // complete: "... HTTP/d.d\r" (the CR before the LF)
        return part == 2 && to - partStart == 9 && buf.getByte(to - 1) == '\r';
    }

    /** The version "HTTP/d.d" followed by the CR of the line end, byte by byte. */
    private static boolean versionByteMayBe(int b, int position) {
        switch (position) {
            case 0:
                return b == 'H';
            case 1:
            case 2:
                return b == 'T';
            case 3:
                return b == 'P';
            case 4:
                return b == '/';
            case 5:
            case 7:
                return b >= '0' && b <= '9';
            case 6:
                return b == '.';
            case 8:
                return b == '\r';
            default:
                return false;
        }
    }

    /** RFC 9110 tchar. */
    private static boolean isTchar(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }

    private static int indexOf(ByteBuf buf, int from, int to, byte value) {
        return from >= to ? -1 : buf.indexOf(from, to, value);
    }
}
