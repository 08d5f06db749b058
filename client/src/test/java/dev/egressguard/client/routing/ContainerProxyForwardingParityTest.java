package dev.egressguard.client.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.egressguard.core.parity.ParityVectors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The {@code containerProxyForwarding} vectors of the parity file: which OPENCLAW_PROXY_URL a container-targeted command gets. */
class ContainerProxyForwardingParityTest {
    @TestFactory
    Stream<DynamicTest> everyContainerVector() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode v : ParityVectors.of("containerProxyForwarding")) {
            Map<String, String> env = new LinkedHashMap<>();
            v.get("input").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            tests.add(DynamicTest.dynamicTest(v.get("why").asText() + " " + env, () -> {
                if (v.get("expect").asText().equals("forwarded")) {
                    Optional<String> got = ContainerProxyForwarding.forwardedValue(env);
                    JsonNode want = v.get("forwardedValue");
                    assertThat(got).isEqualTo(want.isNull() ? Optional.empty() : Optional.of(want.asText()));
                } else if (v.has("error")) {
                    assertThatThrownBy(() -> ContainerProxyForwarding.forwardedValue(env)).isInstanceOf(ProxyRoutingException.class)
                            .hasMessage(v.get("error").asText());
                } else {
                    assertThatThrownBy(() -> ContainerProxyForwarding.forwardedValue(env)).isInstanceOf(ProxyRoutingException.class)
                            .hasMessageContaining(v.get("errorContains").asText());
                }
            }));
        }
        assertThat(tests).hasSize(20);
        return tests.stream();
    }
}
