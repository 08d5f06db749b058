package dev.egressguard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.policy.Decision;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Fuzz target (docs/fuzzing.md): any bytes a client sends through the proxy's request decoder
 * ({@link StrictHttpRequestDecoder}) and its validation ({@link RequestValidation}) end in a
 * refusal with a 4xx (or the 505 for a version other than 1.x), or in well-formed requests each
 * going to the host its own request line names; no exception escapes the pipeline. The same
 * bytes trickled in byte by byte get the same answers (the same requests, the same status; the
 * rule named may differ when the bytes break two rules and the reads decide which is seen first). {@code mvn verify} runs it over
 * the corpus in {@code RequestDecodingFuzzTestInputs/}.
 */
class RequestDecodingFuzzTest {
    /** Larger inputs are fed in 64 pieces rather than byte by byte (the 93 KB header case), to keep a run fast. */
    private static final int TRICKLE_LIMIT = 1024;
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    @FuzzTest(maxDuration = "16m")
    void everyRequestIsRefusedOrGoesWhereItsRequestLineSays(byte[] wire) {
        List<String> atOnce = decode(wire, Math.max(1, wire.length));
        List<String> trickled = decode(wire, wire.length <= TRICKLE_LIMIT ? 1 : wire.length / 64);
        assertThat(trickled).as("the same bytes in small reads").isEqualTo(atOnce);
        String firstLine = firstRequestLine(wire);
        if (!atOnce.isEmpty() && atOnce.get(0).startsWith("valid ") && firstLine != null) {
            assertThat(atOnce.get(0)).as("the first request goes where its request line says")
                    .startsWith("valid " + hostOf(firstLine.split(" ", -1)[1], firstLine.startsWith("CONNECT ")) + " ");
        }
    }

    /** What the proxy makes of {@code wire} read in pieces of {@code piece} bytes: one line per request or body failure. */
    private static List<String> decode(byte[] wire, int piece) {
        Judge judge = new Judge();
        EmbeddedChannel ch = new EmbeddedChannel(new StrictHttpRequestDecoder(MAX_HEADER_BYTES), judge);
        try {
            for (int from = 0; from < wire.length && !judge.refused; from += piece) {
                ch.writeInbound(Unpooled.wrappedBuffer(wire, from, Math.min(piece, wire.length - from)));
                ch.checkException(); // nothing may reach the end of the pipeline as an exception
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        return judge.outcomes;
    }

    /** Plays the proxy's part after the decoder: validates each head, stops at the first refusal. */
    private static final class Judge extends ChannelInboundHandlerAdapter {
        final List<String> outcomes = new ArrayList<>();
        boolean refused;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (refused) {
                    return;
                }
                if (msg instanceof HttpRequest) {
                    judge((HttpRequest) msg);
                } else if (msg instanceof HttpContent && ((HttpContent) msg).decoderResult().isFailure()) {
                    Decision d = ErrorResponses.refusalFor(((HttpContent) msg).decoderResult().cause());
                    assertThat(ErrorResponses.statusFor(d)).as("a malformed body").isEqualTo(400);
                    refuse("refused 400");
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void judge(HttpRequest head) {
            String uri = head.uri(); // validation rewrites the head in place
            RequestValidation.Outcome o = RequestValidation.validate(head);
            if (o.refusal() != null) {
                int status = ErrorResponses.statusFor(o.refusal());
                assertThat(status == 505 || (status >= 400 && status < 500)).as("status %d for %s", status, o.refusal()).isTrue();
                // the status, not the rule: bytes that break two rules may be caught by either, depending on which arrives first
                refuse("refused " + status);
                return;
            }
            ValidRequest valid = o.valid();
            RequestTarget t = valid.target();
            assertThat(t.port()).isBetween(1, 65535);
            assertThat(t.host()).isNotEmpty();
            assertThat(t.host()).as("the host from the request line %s", uri)
                    .isEqualTo(hostOf(uri, t.mode() == RequestTarget.Mode.CONNECT));
            if (valid.upstreamHead() != null) {
                wellFormed(valid.upstreamHead().headers(), t);
            }
            outcomes.add("valid " + t.host() + " " + t.port() + " " + t.mode());
            if (t.mode() == RequestTarget.Mode.CONNECT || t.mode() == RequestTarget.Mode.WEBSOCKET) {
                refused = true; // the bytes behind it belong to the tunnel; the proxy stops decoding here
            }
        }

        private void refuse(String outcome) {
            outcomes.add(outcome);
            refused = true;
        }
    }

    /** The head that goes upstream: one framing, no hop-by-hop or proxy header, the Host of its target. */
    private static void wellFormed(HttpHeaders h, RequestTarget t) {
        assertThat(h.contains(HttpHeaderNames.TRANSFER_ENCODING) && h.contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
        assertThat(h.getAll(HttpHeaderNames.CONTENT_LENGTH)).hasSizeLessThanOrEqualTo(1);
        h.getAll(HttpHeaderNames.TRANSFER_ENCODING).forEach(v -> assertThat(v.strip()).isEqualToIgnoringCase("chunked"));
        assertThat(h.getAll(HttpHeaderNames.HOST)).hasSize(1);
        assertThat(h.get(HttpHeaderNames.HOST).strip().toLowerCase(Locale.ROOT)).isIn(
                t.hostHeader().toLowerCase(Locale.ROOT), (Hostnames.bracketIpv6(t.host()) + ":" + t.port()).toLowerCase(Locale.ROOT));
        h.names().forEach(n -> assertThat(n.toLowerCase(Locale.ROOT)).doesNotStartWith("proxy-").isNotIn("keep-alive", "te", "trailer"));
    }

    /** The first request line on the wire (empty lines before it skipped), without CR LF; null when there is none. */
    private static String firstRequestLine(byte[] wire) {
        String s = new String(wire, StandardCharsets.ISO_8859_1);
        int i = 0;
        while (i < s.length() && (s.charAt(i) == '\r' || s.charAt(i) == '\n')) {
            i++;
        }
        int lf = s.indexOf('\n', i);
        if (lf < 0) {
            return null;
        }
        String line = s.substring(i, lf);
        return line.endsWith("\r") && line.split(" ", -1).length == 3 ? line.substring(0, line.length() - 1) : null;
    }

    /**
     * The host a request target names, read independently of the proxy's parser: the authority (all
     * of a CONNECT target; after {@code ://} up to {@code / ? #} otherwise), its port and one pair of
     * brackets removed.
     */
    private static String hostOf(String target, boolean connect) {
        String auth = target;
        if (!connect) {
            auth = target.substring(target.indexOf("://") + 3);
            for (char c : new char[] {'/', '?', '#'}) {
                int at = auth.indexOf(c);
                auth = at < 0 ? auth : auth.substring(0, at);
            }
        }
        if (auth.startsWith("[")) {
            return auth.substring(1, auth.indexOf(']'));
        }
        int colon = auth.lastIndexOf(':');
        return colon < 0 ? auth : auth.substring(0, colon);
    }
}
