package dev.egressguard.server.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * One audit event: a {@code decision} when the proxy has judged a request or tunnel, a
 * {@code close} when it is over. It holds destination facts only — never bodies, paths, query
 * strings, header values or credentials — so nothing secret can reach the log through it.
 */
public record AuditEvent(Instant ts, String event, String id, String client, String user, String mode, String method,
                         String host, Integer port, List<String> addresses, String address, String verdict,
                         String reason, String rule, Integer status, String error, Long bytesUp, Long bytesDown,
                         Long durationMs) {
    private static final JsonFactory JSON = new JsonFactory();

    /** The event as one line of JSON; absent fields are omitted. */
    public String toJson() {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField(AuditFields.TS, ts.toString());
            g.writeStringField(AuditFields.EVENT, event);
            g.writeStringField(AuditFields.ID, id);
            string(g, AuditFields.CLIENT, client);
            string(g, AuditFields.USER, user);
            string(g, AuditFields.MODE, mode);
            string(g, AuditFields.METHOD, method);
            string(g, AuditFields.HOST, host);
            if (port != null) {
                g.writeNumberField(AuditFields.PORT, port);
            }
            if (addresses != null) {
                g.writeArrayFieldStart(AuditFields.ADDRESSES);
                for (String a : addresses) {
                    g.writeString(a);
                }
                g.writeEndArray();
            }
            string(g, AuditFields.ADDRESS, address);
            string(g, AuditFields.VERDICT, verdict);
            string(g, AuditFields.REASON, reason);
            string(g, AuditFields.RULE, rule);
            if (status != null) {
                g.writeNumberField(AuditFields.STATUS, status);
            }
            string(g, AuditFields.ERROR, error);
            number(g, AuditFields.BYTES_UP, bytesUp);
            number(g, AuditFields.BYTES_DOWN, bytesDown);
            number(g, AuditFields.DURATION_MS, durationMs);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void number(JsonGenerator g, String name, Long value) throws IOException {
        if (value != null) {
            g.writeNumberField(name, value);
        }
    }
}
