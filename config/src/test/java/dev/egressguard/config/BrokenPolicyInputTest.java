package dev.egressguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the policy-loader fuzz target ({@link PolicyLoadingFuzzTest}) found, one plain test each:
 * every broken input is a {@link ConfigException} naming the problem, and the effective-policy
 * printout reads back as the same text.
 */
class BrokenPolicyInputTest {
    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {
            "deny:\n  hostnames: [\"a\", \"1\\u", // a unicode escape cut short: the YAML reader threw NumberFormatException
            "mode: \"\\ud800\"\n",
            "mode: \ud800\n", // a lone surrogate in the text itself (SnakeYAML 2.3 threw IndexOutOfBoundsException on such input)
            "mode: \ud83d\n",
            "\udc00: x\n",
    })
    void brokenYamlIsAConfigException(String text) {
        assertThatThrownBy(() -> PolicyFileLoader.parse(text, "p.yaml")).isInstanceOf(ConfigException.class);
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {
            "ports: [99999999999999999999]\n",
            "ports: [\"1-99999999999999999999\"]\n",
            "limits:\n  maxConnections: 99999999999999999999999\n",
            "limits:\n  maxHeaderBytes: 9999999999MiB\n",
            "limits:\n  connectTimeout: 9999999999999h\n",
            "allow:\n  - cidr: 10.0.0.0/99999999999999\n    ports: [1]\n    reason: x\n",
            "dns:\n  servers: [\"127.0.0.1:99999999999\"]\n",
    })
    void hugeNumbersAreAConfigExceptionThatNamesTheValue(String text) {
        assertThatThrownBy(() -> PolicyFileLoader.parse(text, "p.yaml")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("9999999999");
    }

    @Test
    void anAuditFileWithANulIsAConfigException() {
        assertThatThrownBy(() -> PolicyFileLoader.parse("audit:\n  file: \"/tmp/a\\0b\"\n", "p.yaml")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("p.yaml:2: audit.file: \"/tmp/a\\u0000b\" (expected: a file path, or nothing for standard output (Nul character");
    }

    @Test
    void nulInEveryOtherFileNameIsAConfigException() {
        assertThatThrownBy(() -> PolicyFileLoader.parse("tls:\n  caCertOut: \"/tmp/\\0o\"\n", "p.yaml")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.caCertOut");
    }

    @Test
    void anAuditFileThatIsADirectoryIsRefusedWithTheFix(@TempDir Path dir) {
        assertThatThrownBy(() -> PolicyFileLoader.parse("audit:\n  file: /var/log/egressguard/\n", "p.yaml")).isInstanceOf(ConfigException.class)
                .hasMessage("p.yaml:2: audit.file: \"/var/log/egressguard/\" (expected: a file, not a directory: name the file the events go to,"
                        + " such as /var/log/egressguard/audit.jsonl)");
        assertThatThrownBy(() -> PolicyFileLoader.parse("audit:\n  file: " + dir + "\n", "p.yaml")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("a file, not a directory");
    }

    @ParameterizedTest(name = "[{index}]")
    @ValueSource(strings = {"null", "Null", "NULL", "true", "off", "yes", "~", "a\u0085b", "a\u2028b\u2029c", "a\u009bb\u0080",
            "\ud800", "\udc00x", "\ud83d\ude00", "a\ufeffb\uffff", "x\u0000y\u007f", "\"quoted\" \\back"})
    void thePrintoutReadsBackAsTheSameText(String reason) {
        String file = "allow:\n  - cidr: 127.0.0.1/32\n    ports: [8080]\n    reason: " + ConfigProblem.quoted(reason, Integer.MAX_VALUE)
                + "\naudit:\n  file: " + ConfigProblem.quoted("/tmp/" + nameable(reason) + "x", Integer.MAX_VALUE) + "\n";
        PolicyFile first = PolicyFileLoader.parse(file, "p.yaml");
        assertThat(first.policy().allowRules().get(0).reason()).isEqualTo(reason);
        String printed = EffectivePolicyYaml.render(first);
        PolicyFile second = PolicyFileLoader.parse(printed, "printed.yaml");
        assertThat(second.policy().allowRules().get(0).reason()).isEqualTo(reason);
        assertThat(second.audit().file()).isEqualTo(first.audit().file());
        assertThat(EffectivePolicyYaml.render(second)).isEqualTo(printed.replace("source: p.yaml", "source: printed.yaml"));
    }

    /** {@code s} without what no file name can hold (NUL, a lone surrogate): those are refused, as above. */
    private static String nameable(String s) {
        return s.replaceAll("[\\x{0}\\x{d800}-\\x{dfff}]", "");
    }

    @Test
    void namesThatReadAsNullOrBooleansArePrintedQuoted() {
        assertThat(EffectivePolicyYaml.scalar("null")).isEqualTo("\"null\"");
        assertThat(EffectivePolicyYaml.scalar("on")).isEqualTo("\"on\"");
        assertThat(EffectivePolicyYaml.scalar("example.com")).isEqualTo("example.com");
        assertThat(EffectivePolicyYaml.scalar("443")).isEqualTo("443");
    }
}
