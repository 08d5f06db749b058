package dev.egressguard.core.parity;

import dev.egressguard.core.net.Hostnames;
import dev.egressguard.core.net.IpAddress;
import dev.egressguard.core.net.IpLiterals;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Two of OpenClaw's IP text functions that only its parity vectors ask about, written on top of
 * {@link IpLiterals}: the proxy itself judges addresses, never this normalised text.
 */
final class OpenClawIpFunctions {
    /** One part of a legacy IPv4 spelling: decimal digits, or {@code 0x} and hex digits. */
    private static final Pattern LEGACY_PART = Pattern.compile("0x[0-9a-f]*|[0-9]+");

    private OpenClawIpFunctions() {}

    /**
     * OpenClaw's {@code normalizeIpAddress}: the text of an IP literal, or empty when it is not
     * one: trimmed, one pair of brackets removed, lowercase; IPv4-mapped addresses become IPv4,
     * and so does an IPv4-compatible address written with a dotted tail ({@code ::127.0.0.1}).
     */
    static Optional<String> normalizeIpAddress(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String s = Hostnames.stripBrackets(text.strip()).toLowerCase(Locale.ROOT);
        if (s.indexOf(':') < 0) {
            return IpLiterals.isCanonicalIpv4(s) ? Optional.of(s) : Optional.empty();
        }
        Optional<IpAddress> parsed = IpLiterals.tryParse(s);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        IpAddress a = parsed.get();
        Optional<IpAddress> mapped = a.unmapIpv4();
        if (mapped.isPresent()) {
            return Optional.of(mapped.get().toString());
        }
        boolean dottedTail = s.indexOf('.') >= 0; // without a zone, only a dotted quad has a dot
        if (dottedTail && a.high() == 0 && (a.low() >>> 32) == 0 && a.zone().isEmpty()) {
            return Optional.of(IpAddress.ofIpv4((int) a.low()).toString());
        }
        return Optional.of(a.toString());
    }

    /**
     * OpenClaw's {@code isLegacyIpv4Literal}: text that some IPv4 parser (inet_aton, WHATWG) reads
     * as an address but that is not canonical dotted decimal ({@code 0177.0.0.1}, {@code 127.1},
     * {@code 2130706433}, {@code 0x7f000001}, {@code 999.1.1.1}). The shape the proxy denies before
     * DNS ({@link IpLiterals#looksLikeIpv4Literal}), narrowed: no empty part, hex digits only after
     * {@code 0x}, {@code 0X} too.
     */
    static boolean isLegacyIpv4Literal(String text) {
        if (text == null || IpLiterals.isCanonicalIpv4(text)) {
            return false;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (!IpLiterals.looksLikeIpv4Literal(lower)) {
            return false;
        }
        for (String part : lower.split("\\.", -1)) {
            if (!LEGACY_PART.matcher(part).matches()) {
                return false;
            }
        }
        return true;
    }
}
