package dev.egressguard.cli.isolate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BubblewrapTest {
    @TempDir
    Path dir;

    @Test
    void theSandboxHasItsOwnNetworkAndPidsNoCapabilitiesAndNoLocalResolvers() throws Exception {
        Path nscd = Files.createDirectories(dir.resolve("nscd"));
        Files.createSymbolicLink(dir.resolve("var-run-nscd"), nscd);
        List<String> flags = Bubblewrap.flags(List.of(nscd, dir.resolve("var-run-nscd"), dir.resolve("absent")));
        assertThat(String.join(" ", flags)).startsWith("--die-with-parent --unshare-net --unshare-pid --cap-drop ALL --dev-bind / / --proc /proc")
                .endsWith("--tmpfs " + nscd.toRealPath());
        assertThat(flags).as("a directory and a link to it are masked once; an absent one not at all").containsOnlyOnce("--tmpfs");
    }

    @Test
    void missingToolsAreNamedWithHowToGetThem() {
        assertThatThrownBy(() -> Bubblewrap.locate(Map.of("EGRESSGUARD_BWRAP", dir.resolve("no-bwrap").toString())))
                .isInstanceOf(IsolationUnavailableException.class)
                .hasMessageStartingWith("egressguard run --isolate: bubblewrap is missing: EGRESSGUARD_BWRAP=" + dir.resolve("no-bwrap"))
                .hasMessageEndingWith("the command was not started.");
        assertThatThrownBy(() -> Bubblewrap.locate(Map.of("PATH", dir.toString())))
                .hasMessageContaining("bubblewrap (bwrap) is not installed; install it (Debian and Ubuntu: apt-get install bubblewrap");
    }

    @Test
    void aBwrapThatCannotMakeTheSandboxFailsThePreflightWithItsOwnWordsAndAHint() throws Exception {
        Path fake = dir.resolve("bwrap");
        Files.writeString(fake, "#!/bin/sh\necho 'bwrap: No permissions to create a new namespace' >&2\nexit 1\n");
        fake.toFile().setExecutable(true);
        Files.createDirectories(dir.resolve("sys/user"));
        Files.writeString(dir.resolve("sys/user/max_user_namespaces"), "0\n");
        Bubblewrap b = Bubblewrap.locate(Map.of("EGRESSGUARD_BWRAP", fake.toString(), "PATH", System.getenv("PATH")));
        assertThatThrownBy(() -> b.preflight(dir.resolve("sys"))).isInstanceOf(IsolationUnavailableException.class)
                .hasMessageContaining("cannot create a network namespace here (" + fake + " exited 1: bwrap: No permissions to create a new namespace)")
                .hasMessageContaining("user.max_user_namespaces=15000");
    }
}
