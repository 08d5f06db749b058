package dev.egressguard.cli.isolate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hints come from the knobs as the kernel shows them; a tree of files stands for /proc/sys. */
class NamespaceKnobsTest {
    @TempDir
    Path procSys;

    private void knob(String name, String value) throws Exception {
        Path file = procSys.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, value + "\n");
    }

    @Test
    void eachKnobThatForbidsUserNamespacesIsNamedWithItsFix() throws Exception {
        knob("kernel/unprivileged_userns_clone", "0");
        knob("user/max_user_namespaces", "0");
        knob("kernel/apparmor_restrict_unprivileged_userns", "1");
        assertThat(NamespaceKnobs.hints(procSys)).hasSize(3)
                .anySatisfy(h -> assertThat(h).contains("sysctl -w kernel.unprivileged_userns_clone=1"))
                .anySatisfy(h -> assertThat(h).contains("sysctl -w user.max_user_namespaces=15000"))
                .anySatisfy(h -> assertThat(h).contains("AppArmor").contains("kernel.apparmor_restrict_unprivileged_userns=0"));
    }

    @Test
    void knobsThatAllowThemAreNotBlamed() throws Exception {
        knob("kernel/unprivileged_userns_clone", "1");
        knob("user/max_user_namespaces", "15000");
        knob("kernel/apparmor_restrict_unprivileged_userns", "0");
        assertThat(NamespaceKnobs.hints(procSys)).singleElement().asString()
                .startsWith("user and network namespaces are not allowed to this process").contains("seccomp");
    }
}
