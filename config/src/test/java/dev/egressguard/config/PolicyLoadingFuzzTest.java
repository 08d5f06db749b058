package dev.egressguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target (docs/fuzzing.md): any bytes given as a policy file load into a {@link PolicyFile}
 * or fail with a {@link ConfigException}, never another exception; and a policy that loads prints
 * (as {@code policy show} and the admin {@code /policy} do) as YAML that loads back into the
 * same effective policy. {@code mvn verify} runs it over the corpus in
 * {@code PolicyLoadingFuzzTestInputs/}.
 */
class PolicyLoadingFuzzTest {
    @FuzzTest(maxDuration = "16m")
    void anyBytesLoadOrFailWithAConfigException(byte[] file) {
        PolicyFile first;
        try {
            first = PolicyFileLoader.parse(file, "fuzz.yaml");
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
            return;
        }
        if (first.access().requiresAuth()) {
            return; // the printout never shows secrets, so it cannot load back into the same users
        }
        String printed = EffectivePolicyYaml.render(first);
        PolicyFile second = PolicyFileLoader.parse(printed, "printed.yaml");
        assertThat(body(EffectivePolicyYaml.render(second))).as("the printout of\n%s", printed).isEqualTo(body(printed));
    }

    /** The printout without its first line, which names the source. */
    private static String body(String printed) {
        return printed.substring(printed.indexOf('\n') + 1);
    }
}
