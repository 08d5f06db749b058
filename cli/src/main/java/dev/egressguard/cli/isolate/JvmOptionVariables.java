package dev.egressguard.cli.isolate;

import java.util.List;
import java.util.Map;

/**
 * The variables every JVM reads at startup ({@code JAVA_TOOL_OPTIONS} and friends). The isolated
 * launcher is a JVM between {@code run} and the command: it must not pick up the command's
 * options (the routing javaagent, a heap size, a "Picked up ..." line on the command's standard
 * error), so {@code run} hands them over under other names and the launcher puts them back, exactly
 * as they were, for the command.
 */
final class JvmOptionVariables {
    static final List<String> NAMES = List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS");
    static final String STASH_PREFIX = "EGRESSGUARD_ISOLATED_";

    private JvmOptionVariables() {}

    /** Moves each variable to {@code EGRESSGUARD_ISOLATED_<NAME>}. */
    static void stash(Map<String, String> env) {
        for (String name : NAMES) {
            env.remove(STASH_PREFIX + name);
            String value = env.remove(name);
            if (value != null) {
                env.put(STASH_PREFIX + name, value);
            }
        }
    }

    /** Undoes {@link #stash}: the variables are back exactly as they were, the stash is gone. */
    static void unstash(Map<String, String> env) {
        for (String name : NAMES) {
            env.remove(name);
            String value = env.remove(STASH_PREFIX + name);
            if (value != null) {
                env.put(name, value);
            }
        }
    }
}
