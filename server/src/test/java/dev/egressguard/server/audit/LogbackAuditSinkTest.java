package dev.egressguard.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogbackAuditSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AuditEvent event(String id, String host, Instant at) {
        return new AuditEvent(at, "decision", id, "127.0.0.1:5000", null, null, "forward", "GET", host, 80,
                List.of("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"), null, "allow", "ip.public", null, null, null, null, null, null, null, 1L);
    }

    @Test
    void everyEventFromEveryThreadIsOneJsonLineAndNothingIsLostAtClose(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit.jsonl");
        LogbackAuditSink sink = LogbackAuditSink.create(file);
        int threads = 4;
        int perThread = 5_000;
        List<Thread> emitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread e = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    sink.emit(event(thread + "-" + i, "h" + i + ".example", Instant.now()));
                }
            });
            emitters.add(e);
            e.start();
        }
        for (Thread e : emitters) {
            e.join(30_000);
        }
        sink.close();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(sink.dropped()).isZero();
        assertThat(lines).hasSize(threads * perThread);
        Set<String> ids = new HashSet<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            ids.add(n.get("id").asText());
            assertThat(n.get("addresses")).hasSize(2);
        }
        assertThat(ids).hasSize(threads * perThread);
    }

    @Test
    void timestampsAreUtcWithMilliseconds() {
        Instant at = Instant.parse("2026-11-25T04:43:42.007123Z");
        assertThat(event("1", "a.example", at).toJson()).startsWith("{\"ts\":\"2026-11-25T04:43:42.007Z\",");
        TimestampText t = new TimestampText();
        assertThat(t.format(Instant.parse("2026-12-31T23:59:59.999Z"))).isEqualTo("2026-12-31T23:59:59.999Z");
        assertThat(t.format(Instant.parse("2027-01-01T00:00:00Z"))).isEqualTo("2027-01-01T00:00:00.000Z"); // the cached second rolls over
        assertThat(t.format(Instant.parse("+10000-01-01T00:00:00.001Z"))).isEqualTo("10000-01-01T00:00:00.001Z"); // a longer year: the buffer grows
        assertThat(t.format(Instant.parse("2027-01-01T00:00:00.020Z"))).isEqualTo("2027-01-01T00:00:00.020Z");
    }

    @Test
    void hostileTextIsEscapedIntoValidJson() throws Exception {
        String hostile = "q\"uote\\back\nline\r\tx\u0001\u001f\u2028\ud800end";
        AuditEvent e = new AuditEvent(Instant.EPOCH, "close", "1", hostile, null, hostile, null, null, hostile, null, null, null,
                "deny", "request.invalid", hostile, hostile, 400, hostile, 1L, 2L, 3L, 7L);
        String json = e.toJson();
        assertThat(json).doesNotContain("\n").doesNotContain("\r");
        JsonNode n = JSON.readTree(json);
        assertThat(json).contains("\\uD800end"); // a lone surrogate is escaped, not written as broken UTF-8
        assertThat(n.get("host").asText()).startsWith("q\"uote\\back\nline\r\tx\u0001\u001f\u2028");
        assertThat(n.get("bytes_down").asLong()).isEqualTo(2L);
        assertThat(n.has("user")).isFalse();
    }
}
