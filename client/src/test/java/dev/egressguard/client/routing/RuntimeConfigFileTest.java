package dev.egressguard.client.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeConfigFileTest {
    @TempDir
    Path dir;

    @Test
    void setGetUnsetKeepOtherKeysAndWriteOwnerOnly() throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "gateway:\n  port: 18789\nproxy:\n  enabled: false\n");
        RuntimeConfigFile.load(file).with("proxy.enabled", "true").with("proxy.proxyUrl", "http://127.0.0.1:3128").save();
        RuntimeConfigFile read = RuntimeConfigFile.load(file);
        assertThat(read.proxyEnabled()).contains(true);
        assertThat(read.proxyUrl()).contains("http://127.0.0.1:3128");
        assertThat(read.get("gateway.port")).contains(18789);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        read.without("proxy.proxyUrl").without("proxy.enabled").save();
        RuntimeConfigFile after = RuntimeConfigFile.load(file);
        assertThat(after.get("proxy")).as("an emptied mapping goes too").isEmpty();
        assertThat(after.get("gateway.port")).contains(18789);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("config.yaml");
        }
    }

    @Test
    void theSpecsKeysAreValidatedAsTheyAreWritten() throws Exception {
        Path file = dir.resolve("config.yaml");
        RuntimeConfigFile c = RuntimeConfigFile.load(file);
        assertThatThrownBy(() -> c.with("proxy.enabled", "yes please")).hasMessage("proxy.enabled: \"yes please\" (expected: true or false)");
        assertThatThrownBy(() -> c.with("proxy.proxyUrl", "https://u:secret@127.0.0.1:3128"))
                .hasMessageStartingWith("proxy.proxyUrl: https://redacted:redacted@127.0.0.1:3128/ (expected: an http:// forward proxy URL")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> c.with("proxy.proxyUrl", "not a url //u:secret@x")).hasMessageNotContaining("secret");
        assertThatThrownBy(() -> c.with("proxy..x", "1")).hasMessageStartingWith("key: \"proxy..x\"");
        assertThat(Files.exists(file)).as("nothing written by a refused change").isFalse();
    }

    @Test
    void settingBelowAScalarIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("config.yaml"), "proxy: on\n");
        assertThatThrownBy(() -> RuntimeConfigFile.load(file).with("proxy.enabled", "true"))
                .hasMessageContaining("proxy holds a value, not a mapping");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void endlessFilesStopAtTheLimit() {
        assertThatThrownBy(() -> RuntimeConfigFile.load(Path.of("/dev/zero"))).isInstanceOf(RuntimeConfigException.class)
                .hasMessage("/dev/zero: larger than " + RuntimeConfigFile.MAX_FILE_BYTES + " bytes (expected: a runtime config file)");
        assertThatThrownBy(() -> DurableEnvironment.read(Path.of("/dev/zero"))).isInstanceOf(ProxyRoutingException.class)
                .hasMessageContaining("larger than " + DurableEnvironment.MAX_FILE_BYTES + " bytes");
    }

    @Test
    void brokenFilesAreReportedWithTheirPath() throws Exception {
        Path dup = Files.writeString(dir.resolve("dup.yaml"), "proxy:\n  enabled: true\n  enabled: false\n");
        assertThatThrownBy(() -> RuntimeConfigFile.load(dup)).isInstanceOf(RuntimeConfigException.class).hasMessageStartingWith(dup.toString());
        Path list = Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n");
        assertThatThrownBy(() -> RuntimeConfigFile.load(list)).hasMessageContaining("(expected: a mapping of keys to values)");
    }
}
