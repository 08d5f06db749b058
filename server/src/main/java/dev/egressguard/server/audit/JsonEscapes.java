package dev.egressguard.server.audit;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * The one escaping configuration of every JSON egressguard writes (audit lines, {@code /status.json},
 * {@code check --json}, {@code validate --json}): whatever the text, a JSON value stays on one line
 * for any line reader and stays inert in an HTML page. Escaped as {@code \}{@code uXXXX} beyond the
 * quote, the backslash and the C0 controls that JSON itself requires:
 * <ul>
 *   <li>DEL (U+007F) and the C1 controls (U+0080..U+009F): U+0085 (NEL) is a line break to many readers;
 *   <li>U+2028 and U+2029, line and paragraph separators to JavaScript and to Unicode line breaking;
 *   <li>every UTF-16 surrogate, so that a lone one (not encodable in UTF-8) survives as an escape and a
 *       pair becomes two escapes any JSON parser joins again;
 *   <li>{@code < > &}, so that text embedded in a page cannot open a tag or an entity.
 * </ul>
 * Everything else, other non-ASCII text included, is written as itself (UTF-8).
 */
public final class JsonEscapes extends CharacterEscapes {
    static final JsonEscapes INSTANCE = new JsonEscapes();
    private static final long serialVersionUID = 1L;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray(); // upper case, as Jackson writes its own escapes
    private static final int[] ASCII = asciiEscapes();
    private static final SerializableString[] C1 = new SerializableString[0x20];
    private static final SerializableString LINE_SEPARATOR = escape(0x2028);
    private static final SerializableString PARAGRAPH_SEPARATOR = escape(0x2029);

    static {
        for (int c = 0; c < C1.length; c++) {
            C1[c] = escape(0x80 + c);
        }
    }

    private JsonEscapes() {}

    private static int[] asciiEscapes() {
        int[] codes = standardAsciiEscapesForJSON();
        codes['<'] = ESCAPE_STANDARD;
        codes['>'] = ESCAPE_STANDARD;
        codes['&'] = ESCAPE_STANDARD;
        codes[0x7f] = ESCAPE_STANDARD;
        return codes;
    }

    /** Jackson reads this table and never writes to it. */
    @Override
    public int[] getEscapeCodesForAscii() {
        return ASCII;
    }

    /** Called for every non-ASCII char; null (write it as itself) for all but the few above. */
    @Override
    public SerializableString getEscapeSequence(int ch) {
        if (ch < 0xa0) {
            return ch >= 0x80 ? C1[ch - 0x80] : null;
        }
        if (ch == 0x2028) {
            return LINE_SEPARATOR;
        }
        if (ch == 0x2029) {
            return PARAGRAPH_SEPARATOR;
        }
        return ch >= Character.MIN_SURROGATE && ch <= Character.MAX_SURROGATE ? escape(ch) : null;
    }

    private static SerializableString escape(int ch) {
        return new SerializedString(new String(new char[] {'\\', 'u', HEX[ch >> 12 & 0xf], HEX[ch >> 8 & 0xf], HEX[ch >> 4 & 0xf], HEX[ch & 0xf]}));
    }
}
