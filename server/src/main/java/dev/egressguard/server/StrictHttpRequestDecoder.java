package dev.egressguard.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder with the leniencies a proxy must not have: a request head with obsolete
 * line folding (a header line starting with SP or HTAB) and a request carrying both
 * {@code Transfer-Encoding} and {@code Content-Length} become decoder failures (a 400), instead
 * of being folded or silently repaired and forwarded. Duplicate {@code Content-Length} fields are
 * already failures in Netty's strict mode, which this decoder uses. Folding is caught wherever the
 * reads split the head. After a {@code CONNECT} head it decodes nothing more, so bytes a client sends
 * behind it reach the tunnel untouched.
 */
final class StrictHttpRequestDecoder extends HttpRequestDecoder {
    /** Marks why a request was refused while decoding. */
    static final class SmugglingShapeException extends IllegalArgumentException {
        private final String rule;

        SmugglingShapeException(String rule, String message) {
            super(message);
            this.rule = rule;
        }

        String rule() {
            return rule;
        }
    }

    private boolean expectingHead = true;
    private boolean poisoned;
    /** A request line or header line of the head being read has been consumed, ending in LF. */
    private boolean midHeadAtLineStart;
    /** After a CONNECT head nothing more is decoded: the bytes behind it belong to the tunnel. */
    private boolean tunnelFollows;

    StrictHttpRequestDecoder(int maxHeaderBytes) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setValidateHeaders(true)
                .setStrictLineParsing(true));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (tunnelFollows) {
            return; // left in the cumulation: it flows to the relay when this decoder leaves the pipeline
        }
        if (poisoned) {
            buffer.skipBytes(buffer.readableBytes());
            return;
        }
        if (expectingHead && (hasObsFold(buffer) || (midHeadAtLineStart && startsWithWhitespace(buffer)))) {
            poisoned = true;
            buffer.skipBytes(buffer.readableBytes());
            DefaultFullHttpRequest invalid = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
            invalid.setDecoderResult(DecoderResult.failure(new SmugglingShapeException("request:obs-fold",
                    "obsolete line folding in the request head")));
            out.add(invalid);
            return;
        }
        int before = out.size();
        int readFrom = buffer.readerIndex();
        super.decode(ctx, buffer, out);
        boolean headEnded = false;
        for (int i = before; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpMessage) {
                expectingHead = false;
                headEnded = true;
                if (o instanceof HttpRequest && HttpMethod.CONNECT.equals(((HttpRequest) o).method())) {
                    tunnelFollows = true;
                }
            }
            if (o instanceof LastHttpContent) {
                expectingHead = true;
            }
        }
        if (headEnded || !expectingHead) {
            midHeadAtLineStart = false;
        } else if (buffer.readerIndex() > readFrom) {
            // The head decoder consumes whole lines only; a line after a consumed request or header
            // line that starts with SP or HTAB is a fold, whichever read it arrives in.
            midHeadAtLineStart = midHeadAtLineStart || consumedALine(buffer, readFrom, buffer.readerIndex());
        }
    }

    /** True when {@code [from, to)} holds more than the empty lines allowed before a request line. */
    private static boolean consumedALine(ByteBuf buf, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buf.getByte(i);
            if (b != '\r' && b != '\n') {
                return buf.getByte(to - 1) == '\n';
            }
        }
        return false;
    }

    private static boolean startsWithWhitespace(ByteBuf buf) {
        if (!buf.isReadable()) {
            return false;
        }
        byte first = buf.getByte(buf.readerIndex());
        return first == ' ' || first == '\t';
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new SmugglingShapeException("request:content-length-and-transfer-encoding",
                "both Transfer-Encoding and Content-Length");
    }

    /**
     * True when the head that starts at the reader index (after any empty lines) contains a line
     * beginning with SP or HTAB before its end. Looks only at the head, never at a body.
     */
    static boolean hasObsFold(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end && (buf.getByte(i) == '\r' || buf.getByte(i) == '\n')) {
            i++;
        }
        for (; i < end - 1; i++) {
            if (buf.getByte(i) != '\n') {
                continue;
            }
            byte next = buf.getByte(i + 1);
            if (next == ' ' || next == '\t') {
                return true;
            }
            if (next == '\n' || (next == '\r' && i + 2 < end && buf.getByte(i + 2) == '\n')) {
                return false; // end of the head
            }
        }
        return false;
    }
}
