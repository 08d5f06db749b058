package dev.egressguard.server.audit;

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
                         Long durationMs, Long policyGeneration) {
    /** The event as one line of JSON; absent fields are omitted. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(320);
        appendJson(sb, new TimestampText());
        return sb.toString();
    }

    /** Appends the event as one line of JSON (no line break); absent fields are omitted. */
    void appendJson(StringBuilder sb, TimestampText timestamps) {
        sb.append("{\"").append(AuditFields.TS).append("\":\"");
        timestamps.append(sb, ts);
        sb.append('"');
        sb.append(',');
        JsonText.field(sb, AuditFields.EVENT, event);
        sb.append(',');
        JsonText.field(sb, AuditFields.ID, id);
        optional(sb, AuditFields.CLIENT, client);
        optional(sb, AuditFields.USER, user);
        optional(sb, AuditFields.MODE, mode);
        optional(sb, AuditFields.METHOD, method);
        optional(sb, AuditFields.HOST, host);
        optional(sb, AuditFields.PORT, port);
        if (addresses != null) {
            sb.append(",\"").append(AuditFields.ADDRESSES).append("\":[");
            for (int i = 0; i < addresses.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                JsonText.string(sb, addresses.get(i));
            }
            sb.append(']');
        }
        optional(sb, AuditFields.ADDRESS, address);
        optional(sb, AuditFields.VERDICT, verdict);
        optional(sb, AuditFields.REASON, reason);
        optional(sb, AuditFields.RULE, rule);
        optional(sb, AuditFields.STATUS, status);
        optional(sb, AuditFields.ERROR, error);
        optional(sb, AuditFields.BYTES_UP, bytesUp);
        optional(sb, AuditFields.BYTES_DOWN, bytesDown);
        optional(sb, AuditFields.DURATION_MS, durationMs);
        optional(sb, AuditFields.POLICY_GENERATION, policyGeneration);
        sb.append('}');
    }

    private static void optional(StringBuilder sb, String name, String value) {
        if (value != null) {
            sb.append(',');
            JsonText.field(sb, name, value);
        }
    }

    private static void optional(StringBuilder sb, String name, Number value) {
        if (value != null) {
            sb.append(",\"").append(name).append("\":").append(value);
        }
    }
}
