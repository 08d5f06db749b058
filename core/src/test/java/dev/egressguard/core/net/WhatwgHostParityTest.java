package dev.egressguard.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.core.policy.Decision;
import dev.egressguard.core.policy.Policy;
import dev.egressguard.core.policy.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Our host reading against a real WHATWG URL parser (Node's {@code URL}, UTS #46 on current
 * Unicode): over a table of tricky hosts and a few thousand generated ones, a host that Node maps
 * to a name or address the default policy blocks is never allowed here (refused as invalid or
 * denied). Allowed-here-but-blocked-to-a-browser must be impossible.
 */
class WhatwgHostParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE_SCRIPT = "let s='';process.stdin.setEncoding('utf8');process.stdin.on('data',d=>s+=d);"
            + "process.stdin.on('end',()=>{const out=JSON.parse(s).map(h=>{try{return new URL('http://'+h+'/').hostname}catch(e){return null}});"
            + "process.stdout.write(JSON.stringify(out))});";

    /** Blocked names and addresses, and one allowed name to keep the table honest. */
    private static final List<String> BASES = List.of("localhost", "api.localhost", "localhost.localdomain", "metadata.google.internal",
            "db.internal", "printer.local", "127.0.0.1", "169.254.169.254", "10.0.0.1", "0x7f.1", "2130706433", "example.com");

    /** Default-ignorable and invisible code points: UTS #46 deletes most; IDNA2003 deletes some, knows not all. */
    private static final int[] IGNORABLES = {0x00ad, 0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x1806, 0x180b, 0x180c, 0x180d,
        0x180e, 0x180f, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202e, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2065, 0x2066,
        0x206f, 0x3164, 0xfe00, 0xfe0f, 0xfeff, 0xffa0, 0xfff0, 0x1bca0, 0x1bca3, 0x1d173, 0x1d17a, 0xe0001, 0xe0020, 0xe0100, 0xe01ef};

    /** Characters that read as a dot to one mapping or another. */
    private static final int[] DOTS = {'.', 0x3002, 0xff0e, 0xff61, 0xfe52, 0x2024, 0x0589, 0x06d4};

    /** Letters and digits under compatibility disguises, from Unicode 3.2 and from later versions. */
    private static final String[][] LOOKALIKES = {
        {"l", "\u2113", "\u24db", "\ud835\udc25", "\uff4c", "\u216c", "\u1d38", "\ud83c\udd3b", "L"},
        {"o", "\u2092", "\u1d52", "\u24de", "\uff4f", "\u00ba", "\ud835\udc28", "O"},
        {"c", "\u217d", "\u24d2", "\u1d9c", "\uff43", "\u2102", "C"},
        {"a", "\u2090", "\u1d43", "\u00aa", "\u24d0", "\uff41", "A"},
        {"h", "\u02b0", "\u210e", "\u24d7", "\uff48", "H"},
        {"s", "\u017f", "\u02e2", "\u24e2", "\uff53", "S"},
        {"t", "\u1d57", "\u24e3", "\uff54", "T"},
        {"i", "\u2071", "\u1d62", "\u2139", "\u24d8", "\uff49", "\u0130", "I"},
        {"n", "\u207f", "\u24dd", "\uff4e", "N"},
        {"e", "\u2091", "\u212f", "\u24d4", "\uff45", "E"},
        {"r", "\u02b3", "\u1d63", "\u24e1", "\uff52", "R"},
        {"d", "\u1d48", "\u216e", "\u24d3", "\uff44", "D"},
        {"m", "\u1d50", "\u216f", "\u24dc", "\uff4d", "M"},
        {"g", "\u1d4d", "\u210a", "\u24d6", "\uff47", "G"},
        {"k", "\u212a", "\u1d4f", "\u24da", "\uff4b", "K"},
        {"j", "\u2c7c", "\u02b2", "\uff4a", "J"},
        {"x", "\u2093", "\u02e3", "\uff58", "X"},
        {"0", "\u2070", "\u2080", "\uff10", "\ud835\udfce", "\u24ea"},
        {"1", "\u00b9", "\u2081", "\uff11", "\u2460", "\ud835\udfcf"},
        {"2", "\u00b2", "\u2082", "\uff12", "\u2461"},
        {"7", "\u2077", "\u2087", "\uff17", "\u2466"},
        {"6", "\u2076", "\u2086", "\uff16"},
        {"9", "\u2079", "\u2089", "\uff19"},
        {"5", "\u2075", "\u2085", "\uff15"},
        {"4", "\u2074", "\u2084", "\uff14"},
    };

    /** The hand-written part of the table: the issue's cases and the shapes a reviewer thinks of first. */
    private static final List<String> FIXED = List.of(
            "\u180flocalhost", "\u2064localhost", "local\u2064host", "localhost\u180f", "\u180b\u180c\u180d\u180e\u180flocalhost",
            "lo\u00adcal\u034fhost", "local\u200bhost", "local\u200chost", "local\u200dhost", "local\u2060host", "local\u2061host",
            "local\u2062host", "local\u2063host", "local\ufe0fhost", "local\ufeffhost", "local\ue0100host", "local\u3164host",
            "local\u115fhost", "local\uffa0host", "local\u17b4host",
            "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54", "\uff2c\uff2f\uff23\uff21\uff2c\uff28\uff2f\uff33\uff34",
            "\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11", "127\u30020\u30020\u30021", "127\uff610\uff610\uff611",
            "\uff10\uff58\uff17\uff46\uff0e\uff11", "169.254.169.254\u3002", "localhost\u3002", "localhost.", "localhost..", "LocalHost",
            "LOCALHOST.", "localhost\ufe52", "metadata\ufe52google\ufe52internal", "local\u2024host", "127.0.0\u2488",
            "metadata.google.internal\u3002", "metadata\u3002google\u3002internal", "metadata\uff0egoogle\uff0einternal",
            "metadata.google.inter\u00adnal", "metadata.google.\u2064internal", "metadata.google.interna\u180fl", "METADATA.GOOGLE.INTERNAL",
            "x.inter\u00adnal", "x.\uff49\uff4e\uff54\uff45\uff52\uff4e\uff41\uff4c", "x\u3002internal", "x.internal\u2064", "x.loc\u200bal",
            "x.\uff4c\uff4f\uff43\uff41\uff4c", "x\uff61local", "printer.local\u180f", "x.lo\u2064cal", "a.localhost\u3002", "a\u3002localhost",
            "locaſhost", "\u24dbocalhost", "\u2113ocalhost", "locaᴸhost", "loca\u212ahost", "loc\u1e9ehost", "localhoßt",
            "metadata.google.internaß", "ςlocalhost", "%6c%6f%63%61%6c%68%6f%73%74", "local%E2%81%A4host", "%E1%A0%8Flocalhost",
            "%31%32%37.0.0.1", "local%C2%ADhost", "%EF%BD%8Cocalhost", "loc%61lhost", "169.254.169.254%E3%80%82",
            "xn--localhost-", "xn--localhost-pj9a", "[::1]", "[::ffff:127.0.0.1]", "[0:0:0:0:0:ffff:7f00:1]", "[::ffff:a9fe:a9fe]",
            "0177.0.0.1", "127.1", "0x7f000001", "\u00b9\u00b2\u2077.0.0.1", "\u2460\u2461\u2466.0.0.1", "localhost\u0301",
            "\ud83c\udd3b\ud83c\udd3e\ud83c\udd32\ud83c\udd30\ud83c\udd3b\ud83c\udd37\ud83c\udd3e\ud83c\udd42\ud83c\udd43");

    @Test
    void noHostABrowserMapsToABlockedDestinationIsAllowedHere() throws Exception {
        Optional<Path> node = node();
        assumeTrue(node.isPresent(), "node (Node.js) not found on PATH or at /usr/bin/node: this test needs a real WHATWG URL parser");
        List<String> hosts = hosts();
        List<String> browser = whatwgHostnames(node.get(), hosts);
        Policy policy = Policy.defaults();
        int blocked = 0;
        List<String> violations = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String raw = hosts.get(i);
            String mapped = browser.get(i);
            if (mapped == null || !blocked(policy, mapped)) {
                continue; // the browser refuses it, or reads it as a name the policy would resolve
            }
            blocked++;
            if (!deniedHere(policy, "http://" + raw + "/")) {
                violations.add(describe(raw) + " -> browser " + mapped + ", allowed here as URL");
            }
            if (raw.indexOf('%') < 0 && !policy.checkHost(raw, 443).decisionSoFar().isDenied()) {
                violations.add(describe(raw) + " -> browser " + mapped + ", allowed here as CONNECT host");
            }
        }
        assertThat(violations).as("hosts a browser reads as a blocked destination, allowed here").isEmpty();
        assertThat(blocked).as("hosts Node maps to a blocked destination, of " + hosts.size()).isGreaterThan(hosts.size() / 3);
        assertThat(deniedHere(policy, "http://\u180flocalhost/")).isTrue();
        assertThat(deniedHere(policy, "http://\u2064localhost/")).isTrue();
    }

    /** The browser's ASCII host names a blocked name or address (what a host that only fails our syntax checks is not). */
    private static boolean blocked(Policy policy, String browserHost) {
        Decision d = policy.checkHost(browserHost, 80).decisionSoFar();
        return d.isDenied() && d.reason() != Reason.HOST_INVALID;
    }

    /** Denied or refused by our reading of the URL, with the default policy. */
    private static boolean deniedHere(Policy policy, String url) {
        Optional<TargetUrl> u = TargetUrl.parse(url).url();
        return u.isEmpty() || policy.checkHost(u.get().host(), u.get().port()).decisionSoFar().isDenied();
    }

    /** The fixed table and some 2,000 generated disguises of the blocked names (seeded: the same every run). */
    static List<String> hosts() {
        Set<String> out = new LinkedHashSet<>(FIXED);
        Random random = new Random(20261125L);
        for (int i = 0; out.size() < FIXED.size() + 2000 && i < 100_000; i++) {
            String base = BASES.get(random.nextInt(BASES.size()));
            int steps = 1 + random.nextInt(3);
            for (int s = 0; s < steps; s++) {
                base = disguise(base, random);
            }
            out.add(base);
        }
        return new ArrayList<>(out);
    }

    private static String disguise(String host, Random random) {
        int[] cps = host.codePoints().toArray();
        int at = random.nextInt(cps.length);
        StringBuilder b = new StringBuilder();
        switch (random.nextInt(6)) {
            case 0: { // insert an ignorable
                b.appendCodePoint(IGNORABLES[random.nextInt(IGNORABLES.length)]);
                return splice(cps, at, at, b.toString(), random.nextBoolean());
            }
            case 1: { // swap a dot
                for (int i = 0; i < cps.length; i++) {
                    int j = (at + i) % cps.length;
                    if (cps[j] == '.') {
                        return splice(cps, j, j + 1, new String(Character.toChars(DOTS[random.nextInt(DOTS.length)])), false);
                    }
                }
                return host + new String(Character.toChars(DOTS[random.nextInt(DOTS.length)]));
            }
            case 2: // percent-encode one code point
                for (byte x : new String(Character.toChars(cps[at])).getBytes(StandardCharsets.UTF_8)) {
                    b.append('%').append(String.format("%02X", x & 0xff));
                }
                return splice(cps, at, at + 1, b.toString(), false);
            case 3: // a trailing dot of some kind
                return host + new String(Character.toChars(DOTS[random.nextInt(3)]));
            default: { // a lookalike for a letter or digit
                for (int i = 0; i < cps.length; i++) {
                    int j = (at + i) % cps.length;
                    for (String[] row : LOOKALIKES) {
                        if (row[0].codePointAt(0) == cps[j]) {
                            return splice(cps, j, j + 1, row[1 + random.nextInt(row.length - 1)], false);
                        }
                    }
                }
                return host;
            }
        }
    }

    /** {@code cps} with [from, to) replaced by {@code text} (inserted after the code point instead when {@code after}). */
    private static String splice(int[] cps, int from, int to, String text, boolean after) {
        StringBuilder b = new StringBuilder();
        int cut = after ? Math.min(from + 1, cps.length) : from;
        int resume = after ? cut : to;
        for (int i = 0; i < cut; i++) {
            b.appendCodePoint(cps[i]);
        }
        b.append(text);
        for (int i = resume; i < cps.length; i++) {
            b.appendCodePoint(cps[i]);
        }
        return b.toString();
    }

    /** Node's hostname for {@code http://HOST/}, or null where Node's URL throws. */
    private static List<String> whatwgHostnames(Path node, List<String> hosts) throws IOException, InterruptedException {
        Path out = Files.createTempFile("whatwg-hosts", ".json");
        try {
            Process p = new ProcessBuilder(node.toString(), "-e", NODE_SCRIPT).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(JSON.writeValueAsBytes(hosts));
            }
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("node finished within 60 s").isTrue();
            assertThat(p.exitValue()).as("node's exit status").isZero();
            JsonNode answers = JSON.readTree(out.toFile());
            assertThat(answers).hasSize(hosts.size());
            List<String> names = new ArrayList<>();
            answers.forEach(a -> names.add(a.isNull() ? null : a.asText()));
            return names;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Optional<Path> node() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "node");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        Path usual = Path.of("/usr/bin/node");
        return Files.isExecutable(usual) ? Optional.of(usual) : Optional.empty();
    }

    private static String describe(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> b.append(c >= 0x21 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u{%X}", c)));
        return b.append('"').toString();
    }
}
