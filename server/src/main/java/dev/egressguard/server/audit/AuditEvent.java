package dev.egressguard.server.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * One audit event: a {@code decision} when the proxy has judged a request or tunnel, a
 * {@code close} when it is over. It holds destination facts only — never bodies, query strings,
 * header values or credentials, and a path only for a request inside an intercepted tunnel when
 * the operator turned {@code audit.paths} on — so nothing secret can reach the log through it.
 */
public record AuditEvent(Instant ts, String event, String id, String client, String user, String identity, String mode,
                         String method, String host, Integer port, String path, List<String> addresses, String address, String verdict,
                         String reason, String rule, String approval, Integer status, String error, Long bytesUp,
                         Long bytesDown, Long durationMs, Long policyGeneration) {
    /** An event without a path (all but requests inside intercepted tunnels with {@code audit.paths}). */
    public AuditEvent(Instant ts, String event, String id, String client, String user, String identity, String mode, String method,
                      String host, Integer port, List<String> addresses, String address, String verdict, String reason, String rule,
                      String approval, Integer status, String error, Long bytesUp, Long bytesDown, Long durationMs, Long policyGeneration) {
        this(ts, event, id, client, user, identity, mode, method, host, port, null, addresses, address, verdict, reason, rule, approval,
                status, error, bytesUp, bytesDown, durationMs, policyGeneration);
    }

    /** The event as one line of JSON; absent fields are omitted. */
    public String toJson() {
        return JsonGenerators.write(g -> writeJson(g, new TimestampText()));
    }

    /** Writes the event as one JSON object (no line break); absent fields are omitted. */
    void writeJson(JsonGenerator g, TimestampText timestamps) throws IOException {
        g.writeStartObject();
        g.writeFieldName(Names.TS);
        timestamps.write(g, ts);
        string(g, Names.EVENT, event);
        string(g, Names.ID, id);
        optional(g, Names.CLIENT, client);
        optional(g, Names.USER, user);
        optional(g, Names.IDENTITY, identity);
        optional(g, Names.MODE, mode);
        optional(g, Names.METHOD, method);
        optional(g, Names.HOST, host);
        optional(g, Names.PORT, port);
        optional(g, Names.PATH, path);
        if (addresses != null) {
            g.writeFieldName(Names.ADDRESSES);
            g.writeStartArray();
            for (int i = 0; i < addresses.size(); i++) {
                g.writeString(addresses.get(i));
            }
            g.writeEndArray();
        }
        optional(g, Names.ADDRESS, address);
        optional(g, Names.VERDICT, verdict);
        optional(g, Names.REASON, reason);
        optional(g, Names.RULE, rule);
        optional(g, Names.APPROVAL, approval);
        optional(g, Names.STATUS, status);
        optional(g, Names.ERROR, error);
        optional(g, Names.BYTES_UP, bytesUp);
        optional(g, Names.BYTES_DOWN, bytesDown);
        optional(g, Names.DURATION_MS, durationMs);
        optional(g, Names.POLICY_GENERATION, policyGeneration);
        g.writeEndObject();
    }

    private static void string(JsonGenerator g, SerializableString name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(value);
    }

    private static void optional(JsonGenerator g, SerializableString name, String value) throws IOException {
        if (value != null) {
            string(g, name, value);
        }
    }

    private static void optional(JsonGenerator g, SerializableString name, Integer value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            g.writeNumber(value.intValue());
        }
    }

    private static void optional(JsonGenerator g, SerializableString name, Long value) throws IOException {
        if (value != null) {
            g.writeFieldName(name);
            g.writeNumber(value.longValue());
        }
    }

    /** The field names, quoted once. */
    private static final class Names {
        static final SerializableString TS = new SerializedString(AuditFields.TS);
        static final SerializableString EVENT = new SerializedString(AuditFields.EVENT);
        static final SerializableString ID = new SerializedString(AuditFields.ID);
        static final SerializableString CLIENT = new SerializedString(AuditFields.CLIENT);
        static final SerializableString USER = new SerializedString(AuditFields.USER);
        static final SerializableString IDENTITY = new SerializedString(AuditFields.IDENTITY);
        static final SerializableString APPROVAL = new SerializedString(AuditFields.APPROVAL);
        static final SerializableString MODE = new SerializedString(AuditFields.MODE);
        static final SerializableString METHOD = new SerializedString(AuditFields.METHOD);
        static final SerializableString HOST = new SerializedString(AuditFields.HOST);
        static final SerializableString PORT = new SerializedString(AuditFields.PORT);
        static final SerializableString PATH = new SerializedString(AuditFields.PATH);
        static final SerializableString ADDRESSES = new SerializedString(AuditFields.ADDRESSES);
        static final SerializableString ADDRESS = new SerializedString(AuditFields.ADDRESS);
        static final SerializableString VERDICT = new SerializedString(AuditFields.VERDICT);
        static final SerializableString REASON = new SerializedString(AuditFields.REASON);
        static final SerializableString RULE = new SerializedString(AuditFields.RULE);
        static final SerializableString STATUS = new SerializedString(AuditFields.STATUS);
        static final SerializableString ERROR = new SerializedString(AuditFields.ERROR);
        static final SerializableString BYTES_UP = new SerializedString(AuditFields.BYTES_UP);
        static final SerializableString BYTES_DOWN = new SerializedString(AuditFields.BYTES_DOWN);
        static final SerializableString DURATION_MS = new SerializedString(AuditFields.DURATION_MS);
        static final SerializableString POLICY_GENERATION = new SerializedString(AuditFields.POLICY_GENERATION);

        private Names() {}
    }
}
