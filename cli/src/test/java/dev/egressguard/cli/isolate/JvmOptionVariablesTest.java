package dev.egressguard.cli.isolate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JvmOptionVariablesTest {
    @Test
    void theLauncherSeesNoneAndTheCommandGetsThemBackExactly() {
        Map<String, String> env = new HashMap<>(Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/a.jar", "JDK_JAVA_OPTIONS", "-Xmx1g", "PATH", "/bin",
                "EGRESSGUARD_ISOLATED__JAVA_OPTIONS", "planted by the caller"));
        Map<String, String> original = new HashMap<>(env);
        original.remove("EGRESSGUARD_ISOLATED__JAVA_OPTIONS");
        JvmOptionVariables.stash(env);
        assertThat(env).doesNotContainKeys("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
                .containsEntry("EGRESSGUARD_ISOLATED_JAVA_TOOL_OPTIONS", "-javaagent:/a.jar")
                .doesNotContainKey("EGRESSGUARD_ISOLATED__JAVA_OPTIONS");
        JvmOptionVariables.unstash(env);
        assertThat(env).isEqualTo(original);
    }
}
