package dev.egressguard.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * Netty's request decoder without the leniencies a proxy must not have. Refused as decoder
 * failures (a 400, or a 505 for a version other than 1.x), never repaired and forwarded: a
 * request line that is not exactly {@code method SP target SP HTTP/d.d} (tabs, double spaces,
 * control bytes), obsolete line folding wherever the reads split the head, both
 * {@code Transfer-Encoding} and {@code Content-Length}, any {@code Transfer-Encoding} other than
 * one {@code chunked} field (or any at all on HTTP/1.0), chunk sizes outside the RFC 9112 grammar
 * (Netty 4.2's parser). Duplicate {@code Content-Length} fields fail in Netty's strict mode. A
 * 1.x version above 1.1 is read as 1.1 (RFC 9110 section 2.5).
 *
 * <p>After the head of a {@code CONNECT} or a WebSocket upgrade it decodes nothing more: the
 * bytes behind it stay here until the frontend either removes this decoder (they flow on to the
 * relay) or, when the upgrade was declined, calls {@link #resumeDecoding}.
 */
final class StrictHttpRequestDecoder extends HttpRequestDecoder {
    /** Marks why a request was refused while decoding. */
    static class SmugglingShapeException extends IllegalArgumentException {
        private final String rule;

        SmugglingShapeException(String rule, String message) {
            super(message);
            this.rule = rule;
        }

        String rule() {
            return rule;
        }
    }

    /** A request whose HTTP major version is not 1. */
    static final class UnsupportedVersionException extends SmugglingShapeException {
        UnsupportedVersionException(HttpVersion version) {
            super("request:version", "HTTP version " + version.majorVersion() + "." + version.minorVersion() + " is not supported");
        }
    }

    /** Where the decoder is in the request stream. */
    private enum Phase {
        /** Before a request line (empty lines allowed). */
        REQUEST_LINE,
        /** The request line was consumed; header lines are arriving. */
        HEADERS,
        /** The head was emitted; its body (if any) is being decoded. */
        BODY,
        /** After a CONNECT or WebSocket upgrade: bytes wait here for the relay. */
        HELD,
        /** A refusal was emitted: everything after it is dropped. */
        POISONED
    }

    private Phase phase = Phase.REQUEST_LINE;
    /** The request being decoded switches protocols when it ends (CONNECT, WebSocket upgrade). */
    private boolean holdAfterThisRequest;
    private ChannelHandlerContext ctx;

    StrictHttpRequestDecoder(int maxHeaderBytes) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(RequestHeadScan.MAX_REQUEST_LINE + 2) // RequestHeadScan refuses a longer line first
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setValidateHeaders(true)
                .setStrictLineParsing(true));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    /** The upgrade was declined: decode what arrived behind its request as the next request. */
    void resumeDecoding() {
        if (phase != Phase.HELD) {
            return;
        }
        phase = Phase.REQUEST_LINE;
        if (ctx != null && actualReadableBytes() > 0) {
            try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
                channelReadComplete(ctx);
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        switch (phase) {
            case HELD:
                return; // left in the cumulation: it flows to the relay when this decoder leaves the pipeline
            case POISONED:
                buffer.skipBytes(buffer.readableBytes());
                return;
            case REQUEST_LINE:
                if (refuseIf(RequestHeadScan.fromRequestLine(buffer), buffer, out)) {
                    return;
                }
                break;
            case HEADERS:
                if (refuseIf(RequestHeadScan.fromHeaderLine(buffer), buffer, out)) {
                    return;
                }
                break;
            default:
                break;
        }
        int before = out.size();
        int readFrom = buffer.readerIndex();
        super.decode(ctx, buffer, out);
        for (int i = before; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpRequest) {
                phase = Phase.BODY;
                HttpRequest request = (HttpRequest) o;
                holdAfterThisRequest = HttpMethod.CONNECT.equals(request.method()) || RequestTarget.isWebSocketUpgrade(request);
            }
            if (o instanceof LastHttpContent) {
                phase = holdAfterThisRequest && ((LastHttpContent) o).decoderResult().isSuccess() ? Phase.HELD : Phase.REQUEST_LINE;
            }
        }
        if (phase == Phase.REQUEST_LINE && out.size() == before && consumedALine(buffer, readFrom, buffer.readerIndex())) {
            phase = Phase.HEADERS; // the head decoder consumes whole lines only
        }
    }

    private boolean refuseIf(String rule, ByteBuf buffer, List<Object> out) {
        if (rule == null) {
            return false;
        }
        phase = Phase.POISONED;
        buffer.skipBytes(buffer.readableBytes());
        String message = RequestHeadScan.OBS_FOLD.equals(rule) ? "obsolete line folding in the request head" : "a malformed request line";
        DefaultFullHttpRequest invalid = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
        invalid.setDecoderResult(DecoderResult.failure(RequestHeadScan.REQUEST_LINE_TOO_LONG.equals(rule)
                ? new TooLongHttpLineException("a request line longer than " + RequestHeadScan.MAX_REQUEST_LINE + " bytes")
                : new SmugglingShapeException(rule, message)));
        out.add(invalid);
        return true;
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

    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
        HttpRequest request = (HttpRequest) super.createMessage(initialLine);
        HttpVersion v = request.protocolVersion();
        if (v.majorVersion() == 1 && v.minorVersion() > 1) {
            request.setProtocolVersion(HttpVersion.HTTP_1_1); // RFC 9110 2.5: a higher minor is read as the highest we speak
        }
        return request;
    }

    /** Called by Netty once the head is read and before it frames the body: the version and framing rules. */
    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        HttpVersion v = msg.protocolVersion();
        if (v.majorVersion() != 1) {
            throw new UnsupportedVersionException(v);
        }
        List<String> te = msg.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!te.isEmpty()) {
            if (v != HttpVersion.HTTP_1_1) {
                throw new SmugglingShapeException("request:transfer-encoding", "Transfer-Encoding on an HTTP/1.0 request");
            }
            if (te.size() > 1 || !isChunked(te.get(0))) {
                throw new SmugglingShapeException("request:transfer-encoding", "a Transfer-Encoding other than one chunked");
            }
        }
        return super.isContentAlwaysEmpty(msg);
    }

    /** Exactly {@code chunked}, in any case, with optional SP/HTAB around it. */
    private static boolean isChunked(String value) {
        int from = 0;
        int to = value.length();
        while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
            to--;
        }
        return value.regionMatches(true, from, "chunked", 0, 7) && to - from == 7;
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new SmugglingShapeException("request:content-length-and-transfer-encoding",
                "both Transfer-Encoding and Content-Length");
    }
}
