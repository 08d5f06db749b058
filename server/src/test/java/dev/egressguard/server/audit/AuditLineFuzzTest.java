package dev.egressguard.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz target (docs/fuzzing.md): whatever strings an audit event carries, it is written as
 * exactly one line of valid JSON (no CR, LF, NEL, U+2028 or U+2029 and no other control
 * character in it, valid UTF-8) that reads back to the same values. The input is split at each
 * 0x1E byte into fields: the host and method as the wire gives them (one char per byte, through
 * {@link WireBytes}), the user as big-endian UTF-16 code units (lone surrogates included), the
 * rest as UTF-8, and the addresses as comma-separated UTF-8. {@code mvn verify} runs it over
 * the corpus in {@code AuditLineFuzzTestInputs/}.
 */
class AuditLineFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @FuzzTest(maxDuration = "16m")
    void everyEventIsOneLineOfValidJson(byte[] input) throws Exception {
        List<byte[]> f = fields(input, 7);
        String host = WireBytes.asText(new String(f.get(0), StandardCharsets.ISO_8859_1));
        String method = WireBytes.asText(new String(f.get(1), StandardCharsets.ISO_8859_1));
        String user = utf16(f.get(2));
        String rule = new String(f.get(3), StandardCharsets.UTF_8);
        String path = new String(f.get(4), StandardCharsets.ISO_8859_1);
        String error = utf16(f.get(5));
        List<String> addresses = Arrays.asList(new String(f.get(6), StandardCharsets.UTF_8).split(",", -1));
        AuditEvent event = new AuditEvent(Instant.ofEpochMilli(input.length * 7919L), "decision", "1-" + input.length, "127.0.0.1:5000", user,
                rule, "forward", method, host, input.length % 65536, path, addresses, rule, "deny", "host.invalid", rule, null, 400, error,
                (long) input.length, 0L, 1L, 1L);
        String line = event.toJson();

        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            assertThat(c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c))
                    .as("char U+%04X at %d of %s", (int) c, i, line).isFalse();
        }
        byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
        String decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(utf8)).toString();
        assertThat(decoded.lines().count()).isEqualTo(1);

        JsonNode n = JSON.readTree(line);
        assertThat(n.isObject()).isTrue();
        assertThat(n.get("host").asText()).isEqualTo(host);
        assertThat(n.get("method").asText()).isEqualTo(method);
        assertThat(n.get("user").asText()).isEqualTo(user);
        assertThat(n.get("rule").asText()).isEqualTo(rule);
        assertThat(n.get("path").asText()).isEqualTo(path);
        assertThat(n.get("error").asText()).isEqualTo(error);
        List<String> back = new ArrayList<>();
        n.get("addresses").forEach(a -> back.add(a.asText()));
        assertThat(back).isEqualTo(addresses);
    }

    /** {@code input} split at 0x1E into exactly {@code count} fields (missing ones empty, the last takes the rest). */
    private static List<byte[]> fields(byte[] input, int count) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < input.length && out.size() < count - 1; i++) {
            if (input[i] == 0x1e) {
                out.add(Arrays.copyOfRange(input, start, i));
                start = i + 1;
            }
        }
        out.add(Arrays.copyOfRange(input, Math.min(start, input.length), input.length));
        while (out.size() < count) {
            out.add(new byte[0]);
        }
        return out;
    }

    /** Big-endian UTF-16 code units, unpaired surrogates kept (an odd last byte ignored). */
    private static String utf16(byte[] b) {
        char[] units = new char[b.length / 2];
        for (int i = 0; i < units.length; i++) {
            units[i] = (char) ((b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff));
        }
        return new String(units);
    }
}
