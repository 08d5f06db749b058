package dev.egressguard.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Decodes an upstream connection's responses, one request at a time (the proxy never pipelines
 * upstream). It knows whether the request in flight was a {@code HEAD} (whose response has no body
 * whatever its headers say), and it tells when the upstream sends a byte while no request is in
 * flight: such a connection is out of step — a body a HEAD response must not have, a response
 * nobody asked for — and must never carry another request.
 */
final class UpstreamResponseDecoder extends HttpResponseDecoder {
    /** Bytes arrived while no request was in flight. */
    static final class UnsolicitedBytesException extends IllegalStateException {
        UnsolicitedBytesException() {
            super("the upstream sent bytes while no request was in flight");
        }
    }

    private boolean headRequest;
    private boolean awaitingResponse;

    UpstreamResponseDecoder(int maxHeaderBytes) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true));
    }

    /** A request was written: its response is the next one. */
    void requestSent(boolean head) {
        this.headRequest = head;
        this.awaitingResponse = true;
    }

    /** The response ended: anything after it, now or later, is out of step. */
    void responseEnded() {
        awaitingResponse = false;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (!awaitingResponse && buffer.isReadable()) {
            buffer.skipBytes(buffer.readableBytes());
            DefaultFullHttpResponse unsolicited = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
            unsolicited.setDecoderResult(DecoderResult.failure(new UnsolicitedBytesException()));
            out.add(unsolicited);
            return;
        }
        super.decode(ctx, buffer, out);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        if (headRequest && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            return true;
        }
        return super.isContentAlwaysEmpty(msg);
    }

    /** The upstream connection's codec: this decoder and Netty's request encoder, under one pipeline name. */
    static final class Codec extends CombinedChannelDuplexHandler<UpstreamResponseDecoder, HttpRequestEncoder> {
        Codec(int maxHeaderBytes) {
            super(new UpstreamResponseDecoder(maxHeaderBytes), new HttpRequestEncoder());
        }

        UpstreamResponseDecoder decoder() {
            return inboundHandler();
        }
    }
}
