package dev.egressguard.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A systemd unit file (or drop-in, or EnvironmentFile) read as systemd does for our purposes:
 * sections, and every assignment of a key in order (an empty assignment is kept: for list
 * settings it means "reset", and {@code CapabilityBoundingSet=} means "no capabilities").
 */
record SystemdUnit(Path file, Map<String, Map<String, List<String>>> sections) {

    static SystemdUnit parse(Path file) {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        String section = "";
        int n = 0;
        for (String raw : Yamls.read(file).split("\n", -1)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.endsWith("\\")) {
                throw new IllegalArgumentException(file + ":" + n + ": line continuations are not supported here");
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1);
                sections.computeIfAbsent(section, s -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(file + ":" + n + ": not an assignment: " + line);
            }
            sections.computeIfAbsent(section, s -> new LinkedHashMap<>())
                    .computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return new SystemdUnit(file, sections);
    }

    /** Every assignment of key in section, in order; empty when never assigned. */
    List<String> all(String section, String key) {
        return sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
    }

    /** The single assignment of key; fails when it is missing or assigned more than once. */
    String one(String section, String key) {
        List<String> values = all(section, key);
        if (values.size() != 1) {
            throw new AssertionError(file.getFileName() + ": [" + section + "] " + key + " is assigned "
                    + values.size() + " times, expected once: " + values);
        }
        return values.get(0);
    }

    boolean has(String section, String key) {
        return !all(section, key).isEmpty();
    }
}
