package dev.egressguard.config;

import dev.egressguard.core.net.IpRange;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads typed values out of a composed YAML tree, recording a {@link ConfigProblem} (path, line,
 * value, expectation) for each thing that is wrong instead of stopping at the first.
 */
final class NodeReader {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})(B|KiB|MiB)?");

    private final String source;
    private final List<ConfigProblem> problems = new ArrayList<>();

    NodeReader(String source) {
        this.source = source;
    }

    List<ConfigProblem> problems() {
        return problems;
    }

    void problem(Node at, String path, String value, String expected) {
        problems.add(new ConfigProblem(source, at == null ? 0 : at.getStartMark().getLine() + 1, path, value, expected));
    }

    /** The entries of a mapping; unknown and duplicate keys are problems. Empty when {@code node} is no mapping. */
    Map<String, Node> mapping(Node node, String path, Set<String> allowed) {
        return mapping(node, path, "a mapping with keys " + String.join(", ", allowed), allowed::contains,
                key -> "one of " + String.join(", ", allowed) + suggestion(key, allowed));
    }

    /**
     * The entries of a mapping whose keys are data (names); a key {@code known} refuses is a
     * problem whose expectation {@code unknownKey} phrases. Empty when {@code node} is no mapping.
     */
    Map<String, Node> mapping(Node node, String path, String expectation, Predicate<String> known,
            Function<String, String> unknownKey) {
        Map<String, Node> out = new LinkedHashMap<>();
        if (!(node instanceof MappingNode)) {
            problem(node, path, scalarText(node), expectation);
            return out;
        }
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : ((MappingNode) node).getValue()) {
            String key = t.getKeyNode() instanceof ScalarNode ? ((ScalarNode) t.getKeyNode()).getValue() : null;
            String keyPath = join(path, key == null ? "?" : key);
            if (key == null) {
                problem(t.getKeyNode(), path, null, "plain keys");
                continue;
            }
            if (!seen.add(key)) {
                problem(t.getKeyNode(), keyPath, key, "each key once; this one is repeated");
                continue;
            }
            if (!known.test(key)) {
                problem(t.getKeyNode(), keyPath, key, unknownKey.apply(key));
                continue;
            }
            out.put(key, t.getValueNode());
        }
        return out;
    }

    /** The items of a sequence (a single scalar counts as a one-item list); empty on error. */
    List<Node> sequence(Node node, String path, String itemExpectation) {
        if (node instanceof SequenceNode) {
            return ((SequenceNode) node).getValue();
        }
        if (node instanceof ScalarNode && isNull(node)) {
            return List.of();
        }
        problem(node, path, scalarText(node), "a list of " + itemExpectation);
        return List.of();
    }

    Optional<String> string(Node node, String path, String expectation) {
        if (node instanceof ScalarNode && !isNull(node)) {
            return Optional.of(((ScalarNode) node).getValue());
        }
        problem(node, path, scalarText(node), expectation);
        return Optional.empty();
    }

    /**
     * {@code text} (stripped) as a file path; a problem, and empty, when this system cannot name
     * such a file (a NUL character in it, say).
     */
    Optional<Path> path(Node at, String path, String text, String expected) {
        try {
            return Optional.of(Path.of(text.strip()));
        } catch (InvalidPathException e) {
            problem(at, path, text, expected + " (" + e.getReason() + ")");
            return Optional.empty();
        }
    }

    /** {@code true} or {@code false}, exactly. */
    Optional<Boolean> bool(Node node, String path) {
        Optional<String> text = string(node, path, "true or false");
        if (text.isPresent() && !text.get().equals("true") && !text.get().equals("false")) {
            problem(node, path, text.get(), "true or false");
            return Optional.empty();
        }
        return text.map(Boolean::parseBoolean);
    }

    Optional<Duration> duration(Node node, String path) {
        return duration(node, path, false);
    }

    /** A duration such as {@code 500ms}, {@code 10s}, {@code 5m} or {@code 1h}; zero only when {@code zeroAllowed}. */
    Optional<Duration> duration(Node node, String path, boolean zeroAllowed) {
        Optional<String> text = string(node, path, "a duration such as 500ms, 10s, 5m or 1h");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DURATION.matcher(text.get().strip());
        if (!m.matches()) {
            problem(node, path, text.get(), "a duration such as 500ms, 10s, 5m or 1h");
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        Duration d;
        switch (m.group(2)) {
            case "ms":
                d = Duration.ofMillis(n);
                break;
            case "s":
                d = Duration.ofSeconds(n);
                break;
            case "m":
                d = Duration.ofMinutes(n);
                break;
            default:
                d = Duration.ofHours(n);
                break;
        }
        if (d.isZero() && !zeroAllowed) {
            problem(node, path, text.get(), "a duration > 0");
            return Optional.empty();
        }
        return Optional.of(d);
    }

    /** A byte count: {@code 65536}, {@code 64KiB}, {@code 1MiB}, within [min, max]. */
    Optional<Integer> size(Node node, String path, long min, long max) {
        String expected = "a size such as 65536, 64KiB or 1MiB, from " + min + " to " + max + " bytes";
        Optional<String> text = string(node, path, expected);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = SIZE.matcher(text.get().strip());
        if (!m.matches()) {
            problem(node, path, text.get(), expected);
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        long unit = m.group(2) == null || m.group(2).equals("B") ? 1 : m.group(2).equals("KiB") ? 1024 : 1024 * 1024;
        long bytes = n * unit;
        if (bytes < min || bytes > max) {
            problem(node, path, text.get(), expected);
            return Optional.empty();
        }
        return Optional.of((int) bytes);
    }

    Optional<Integer> integer(Node node, String path, int min, int max) {
        String expected = "a whole number from " + min + " to " + max;
        Optional<String> text = string(node, path, expected);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            long v = Long.parseLong(text.get().strip());
            if (v >= min && v <= max) {
                return Optional.of((int) v);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(node, path, text.get(), expected);
        return Optional.empty();
    }

    /** A list of CIDR blocks; each bad one is a problem, the good ones are returned. */
    List<IpRange> cidrs(Node n, String path) {
        List<IpRange> out = new ArrayList<>();
        List<Node> items = sequence(n, path, "CIDR blocks such as 10.0.0.0/8");
        for (int i = 0; i < items.size(); i++) {
            cidr(items.get(i), path + "[" + i + "]").ifPresent(out::add);
        }
        return out;
    }

    Optional<IpRange> cidr(Node n, String path) {
        Optional<String> text = string(n, path, "a CIDR block such as 10.0.0.0/8 or fd00::/8");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> problem = IpRange.problem(text.get().strip());
        if (problem.isPresent()) {
            problem(n, path, text.get(), problem.get());
            return Optional.empty();
        }
        return IpRange.tryParse(text.get().strip());
    }

    /** Allowed keys in the order messages list them. */
    static Set<String> keys(String... keys) {
        return new LinkedHashSet<>(List.of(keys));
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().getValue().endsWith(":null");
    }

    static String scalarText(Node node) {
        if (node instanceof ScalarNode) {
            return ((ScalarNode) node).getValue();
        }
        if (node instanceof SequenceNode) {
            return "[…]";
        }
        if (node instanceof MappingNode) {
            return "{…}";
        }
        return null;
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** A did-you-mean hint for a misspelled key: the allowed key within edit distance 2, if any. */
    static String suggestion(String key, Set<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int d = editDistance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? "" : "; did you mean \"" + best + "\"?";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
