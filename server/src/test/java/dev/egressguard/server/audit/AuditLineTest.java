package dev.egressguard.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every audit event is one line of valid JSON whatever bytes a client sent: the host and method
 * arrive one char per byte (ISO-8859-1, as Netty decodes the request line) and are logged as the
 * UTF-8 they were, or with {@code \xNN} for the bytes that are not UTF-8.
 */
class AuditLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Wire bytes (as the request line holds them) and the text the audit must show for them. */
    static Stream<Arguments> wireBytes() {
        return Stream.of(
                Arguments.of("NEL as UTF-8", bytes(0x65, 0xc2, 0x85, 0x78), "e\u0085x"),
                Arguments.of("NEL as a raw byte", bytes(0x65, 0x85, 0x78), "e\\x85x"),
                Arguments.of("U+2028 as UTF-8", bytes(0x61, 0xe2, 0x80, 0xa8, 0x62), "a\u2028b"),
                Arguments.of("U+2029 as UTF-8", bytes(0x61, 0xe2, 0x80, 0xa9, 0x62), "a\u2029b"),
                Arguments.of("DEL", bytes(0x61, 0x7f, 0x62), "a\u007fb"),
                Arguments.of("ESC", bytes(0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x68), "\u001b[31mh"),
                Arguments.of("NUL", bytes(0x61, 0x00, 0x62), "a\u0000b"),
                Arguments.of("CR LF", bytes(0x61, 0x0d, 0x0a, 0x62), "a\r\nb"),
                Arguments.of("C1 CSI", bytes(0xc2, 0x9b, 0x33, 0x31, 0x6d), "\u009b31m"),
                Arguments.of("valid UTF-8", "bücher.例え.test".getBytes(StandardCharsets.UTF_8), "bücher.例え.test"),
                Arguments.of("valid 4-byte UTF-8", bytes(0xf0, 0x9f, 0x98, 0x80, 0x2e, 0x74), "\ud83d\ude00.t"),
                Arguments.of("a lone continuation byte", bytes(0x61, 0x80, 0x62), "a\\x80b"),
                Arguments.of("0xff", bytes(0xff, 0xfe), "\\xff\\xfe"),
                Arguments.of("an overlong NUL", bytes(0x61, 0xc0, 0x80, 0x62), "a\\xc0\\x80b"),
                Arguments.of("an encoded surrogate", bytes(0xed, 0xa0, 0x80), "\\xed\\xa0\\x80"),
                Arguments.of("a truncated sequence at the end", bytes(0x61, 0xe2, 0x80), "a\\xe2\\x80"),
                Arguments.of("a truncated sequence before ASCII", bytes(0xe2, 0x80, 0x61), "\\xe2\\x80a"),
                Arguments.of("valid and invalid mixed", bytes(0xc3, 0xbc, 0xff, 0xc3, 0xbc), "ü\\xffü"),
                Arguments.of("Latin-1 é (not UTF-8)", bytes(0x63, 0x61, 0x66, 0xe9), "caf\\xe9"),
                Arguments.of("beyond U+10FFFF", bytes(0xf4, 0x90, 0x80, 0x80), "\\xf4\\x90\\x80\\x80"));
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** The request line as Netty hands it over: one char per byte. */
    private static String asReceived(byte[] wire) {
        return new String(wire, StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wireBytes")
    void hostsAreLoggedAsTheBytesReceived(String name, byte[] wire, String expected) {
        assertThat(WireBytes.asText(asReceived(wire))).isEqualTo(expected);
    }

    @Test
    void asciiAndTextThatIsNotOneCharPerByteComeBackAsTheyAre() {
        String ascii = "example.com";
        assertThat(WireBytes.asText(ascii)).isSameAs(ascii);
        String decoded = "例え.test";
        assertThat(WireBytes.asText(decoded)).isSameAs(decoded);
        assertThat(WireBytes.asText(null)).isNull();
        assertThat(WireBytes.asText("")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wireBytes")
    void everyEventIsOneLineOfValidJson(String name, byte[] wire, String expected) throws Exception {
        String hostile = WireBytes.asText(asReceived(wire));
        String user = "u" + expected + "\ud800"; // a user name (already text) with a lone surrogate too
        AuditEvent e = event(hostile, hostile, user);
        String line = e.toJson();
        assertOneLine(line);
        JsonNode n = JSON.readTree(line);
        assertThat(n.get("host").asText()).isEqualTo(expected);
        assertThat(n.get("method").asText()).isEqualTo(expected);
        assertThat(n.get("user").asText()).isEqualTo(user);
        assertThat(n.get("port").asInt()).isEqualTo(8080);
    }

    @Test
    void theWriterEscapesEveryLineBreakControlAndMarkupCharacter() {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0xa0; c++) {
            all.append(c);
        }
        all.append("\u2028\u2029\ud83d\ude00\udc00\ud800<>&'\"\\/é");
        String line = event(all.toString(), "GET", null).toJson();
        assertOneLine(line);
        assertThat(line).contains("\\u0085").contains("\\u007F").contains("\\u2028").contains("\\u2029").contains("\\u001B")
                .contains("\\u003C").contains("\\u003E").contains("\\u0026").contains("\\uD83D\\uDE00").contains("\\uDC00\\uD800")
                .contains("\\n").contains("\\r").contains("\\t").contains("\\\"").contains("\\\\").contains("é")
                .doesNotContain("<").doesNotContain(">").doesNotContain("&");
    }

    @Test
    void theSinkWritesOneValidUtf8JsonLinePerEvent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit.jsonl");
        List<String> hosts = new ArrayList<>();
        LogbackAuditSink sink = LogbackAuditSink.create(file);
        try {
            wireBytes().forEach(a -> {
                String host = WireBytes.asText(asReceived((byte[]) a.get()[1]));
                hosts.add(host);
                sink.emit(event(host, host, "user\u0085\u2028"));
            });
        } finally {
            sink.close();
        }
        byte[] written = Files.readAllBytes(file);
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(written)).toString(); // throws when a byte is not UTF-8
        assertThat(text).endsWith("\n");
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        assertThat(lines).hasSize(hosts.size());
        for (int i = 0; i < lines.length; i++) {
            assertOneLine(lines[i]);
            assertThat(JSON.readTree(lines[i]).get("host").asText()).isEqualTo(hosts.get(i));
        }
    }

    /** No character any line reader (Java, Python's splitlines, JavaScript) takes as a line break. */
    private static void assertOneLine(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            assertThat(c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c))
                    .as("char U+%04X at %d of %s", (int) c, i, line).isFalse();
        }
    }

    private static AuditEvent event(String host, String method, String user) {
        return new AuditEvent(Instant.parse("2026-11-25T04:43:42.573Z"), "decision", "1-1", "127.0.0.1:5000", user, null, "forward", method,
                host, 8080, List.of("127.0.0.1"), null, "deny", "host.invalid", null, null, null, null, null, null, null, 1L);
    }
}
