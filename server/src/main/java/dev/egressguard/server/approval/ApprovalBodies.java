package dev.egressguard.server.approval;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The approver's wire format. The request is {@code {"identity","host","port","mode"}} (and, for a
 * rule of an intercepted host, {@code "rule","method"}; never a path); the
 * answer is {@code {"decision":"allow"|"deny","message"?:"…"}} with a 2xx status — anything else
 * (another status, a body that is not one such object, another decision, a repeated key) is an
 * error, and an error denies. Other keys in the answer are ignored.
 */
final class ApprovalBodies {
    /** Longest message kept from the approver, in characters: it reaches an agent and the audit log. */
    static final int MAX_MESSAGE = 300;
    private static final JsonFactory JSON = new JsonFactory();

    private ApprovalBodies() {}

    static byte[] request(ApprovalRequest request) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("identity", request.identity());
            g.writeStringField("host", request.host());
            g.writeNumberField("port", request.port());
            g.writeStringField("mode", request.mode());
            if (request.rule() != null) {
                g.writeStringField("rule", request.rule());
                g.writeStringField("method", request.method());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }

    /** The result an answer means. */
    static ApprovalResult answer(int status, byte[] body) {
        if (status < 200 || status > 299) {
            return ApprovalResult.error("HTTP " + status);
        }
        String decision = null;
        String message = null;
        boolean sawMessage = false;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return ApprovalResult.error("malformed answer");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                JsonToken value = p.nextToken();
                if (field.equals("decision")) {
                    if (decision != null || value != JsonToken.VALUE_STRING) {
                        return ApprovalResult.error("malformed answer");
                    }
                    decision = p.getText();
                } else if (field.equals("message")) {
                    if (sawMessage || (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL)) {
                        return ApprovalResult.error("malformed answer");
                    }
                    sawMessage = true;
                    message = value == JsonToken.VALUE_NULL ? null : p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                return ApprovalResult.error("malformed answer");
            }
        } catch (IOException e) {
            return ApprovalResult.error("malformed answer");
        }
        if ("allow".equals(decision)) {
            return ApprovalResult.answer(ApprovalOutcome.ALLOW, clean(message));
        }
        if ("deny".equals(decision)) {
            return ApprovalResult.answer(ApprovalOutcome.DENY, clean(message));
        }
        return ApprovalResult.error(decision == null ? "answer without a decision" : "unknown decision");
    }

    /**
     * The approver's message made safe to show an agent and to log: control, format (bidi
     * overrides, zero-width) and line-separator characters and lone surrogates become spaces, runs
     * of spaces one, at most {@link #MAX_MESSAGE} characters (then {@code …}); null when nothing is left.
     */
    static String clean(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(Math.min(message.length(), MAX_MESSAGE + 1));
        int kept = 0;
        boolean truncated = false;
        for (int i = 0; i < message.length(); ) {
            int c = message.codePointAt(i);
            i += Character.charCount(c);
            boolean space = Character.isWhitespace(c) || isUnsafe(c);
            if (space) {
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ' ') {
                    sb.append(' ');
                    kept++;
                }
            } else {
                sb.appendCodePoint(c);
                kept++;
            }
            if (kept >= MAX_MESSAGE && i < message.length()) {
                truncated = true;
                break;
            }
        }
        String s = sb.toString().strip();
        return s.isEmpty() ? null : truncated ? s + "…" : s;
    }

    private static boolean isUnsafe(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE;
    }
}
