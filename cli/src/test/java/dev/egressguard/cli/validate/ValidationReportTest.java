package dev.egressguard.cli.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValidationReportTest {
    /** A foreign proxy's answer can carry any text into the report's details: the JSON stays one inert line. */
    @Test
    void theJsonReportIsOneLineWhateverTheProxyAnswered() throws Exception {
        Probe probe = ProbeCatalog.probes(Scope.LOOPBACK, Optional.empty(), Optional.empty()).get(0);
        String hostile = "said \u0085 next\u2028line\r\n<script>&\u007f\u001b[2J\ud800";
        ValidationReport report = new ValidationReport("http://proxy\u2029:3128", Scope.LOOPBACK, 1000, 0,
                List.of(new ProbeResult(probe, ProbeVerdict.BLOCKED, Optional.empty(), hostile)));
        String json = report.toJson();
        assertThat(json).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u0085").doesNotContain("\u2028")
                .doesNotContain("\u2029").doesNotContain("\u007f").doesNotContain("\u001b").doesNotContain("<").doesNotContain("&");
        JsonNode n = new ObjectMapper().readTree(json);
        assertThat(n.get("probes").get(0).get("detail").asText()).isEqualTo(hostile);
        assertThat(n.get("proxy").asText()).isEqualTo("http://proxy\u2029:3128");
    }
}
