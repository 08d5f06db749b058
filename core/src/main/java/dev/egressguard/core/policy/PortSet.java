package dev.egressguard.core.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** A set of TCP ports, as sorted, merged ranges. {@link #ANY} is every port 1..65535. */
public final class PortSet {
    public static final PortSet ANY = new PortSet(List.of(new int[] {1, 65535}));

    private final List<int[]> ranges;

    private PortSet(List<int[]> ranges) {
        this.ranges = ranges;
    }

    /** Ranges as {@code {first, last}} pairs; overlapping and adjacent ranges merge. */
    public static PortSet of(List<int[]> ranges) {
        List<int[]> sorted = new ArrayList<>();
        for (int[] r : ranges) {
            if (r.length != 2 || r[0] < 1 || r[1] > 65535 || r[0] > r[1]) {
                throw new IllegalArgumentException("port range: " + java.util.Arrays.toString(r) + " (expected: 1..65535, first <= last)");
            }
            sorted.add(r.clone());
        }
        sorted.sort(Comparator.comparingInt(r -> r[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] r : sorted) {
            if (!merged.isEmpty() && merged.get(merged.size() - 1)[1] >= r[0] - 1) {
                int[] last = merged.get(merged.size() - 1);
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(r);
            }
        }
        if (merged.size() == 1 && merged.get(0)[0] == 1 && merged.get(0)[1] == 65535) {
            return ANY;
        }
        return new PortSet(List.copyOf(merged));
    }

    public static PortSet of(int... ports) {
        List<int[]> r = new ArrayList<>();
        for (int p : ports) {
            r.add(new int[] {p, p});
        }
        return of(r);
    }

    /**
     * One entry as written in a policy file: {@code 443}, {@code "8000-8999"} or {@code "any"}.
     * Returns the {@code {first, last}} pair, or empty when the text is not one.
     */
    public static Optional<int[]> parseEntry(String text) {
        String s = text.strip();
        if (s.equals("any") || s.equals("*")) {
            return Optional.of(new int[] {1, 65535});
        }
        int dash = s.indexOf('-');
        int first = parsePort(dash < 0 ? s : s.substring(0, dash).strip());
        int last = dash < 0 ? first : parsePort(s.substring(dash + 1).strip());
        if (first < 1 || last < 1 || first > last) {
            return Optional.empty();
        }
        return Optional.of(new int[] {first, last});
    }

    private static int parsePort(String s) {
        if (s.isEmpty() || s.length() > 5) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v >= 1 && v <= 65535 ? v : -1;
    }

    public boolean contains(int port) {
        for (int[] r : ranges) {
            if (port >= r[0] && port <= r[1]) {
                return true;
            }
        }
        return false;
    }

    /** True when every port of {@code other} is in this set. */
    public boolean containsAll(PortSet other) {
        for (int[] r : other.ranges) {
            boolean covered = false;
            for (int[] mine : ranges) {
                covered |= mine[0] <= r[0] && mine[1] >= r[1];
            }
            if (!covered) {
                return false;
            }
        }
        return true;
    }

    public boolean isAny() {
        return this == ANY;
    }

    /** The entries as a policy file writes them. */
    public List<String> entries() {
        if (isAny()) {
            return List.of("any");
        }
        return ranges.stream().map(r -> r[0] == r[1] ? Integer.toString(r[0]) : r[0] + "-" + r[1]).collect(Collectors.toList());
    }

    @Override
    public String toString() {
        return String.join(", ", entries());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortSet && ((PortSet) o).entries().equals(entries());
    }

    @Override
    public int hashCode() {
        return entries().hashCode();
    }
}
