package dev.egressguard.core.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.egressguard.core.guard.GuardPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The OpenClaw parity vectors of {@code shared/testdata/openclaw-parity.json}, for every module's
 * parity tests (the client's read them through this module's test-jar): the file named by the
 * {@code egressguard.parity} system property (set by each module's surefire configuration), else
 * {@code shared/} beside the repository.
 */
public final class ParityVectors {
    private ParityVectors() {}

    /** Every vector, in file order. */
    public static List<JsonNode> all() {
        Path path = path();
        assertThat(path).as("parity vectors (shared/testdata beside the repository)").exists();
        try {
            JsonNode root = new ObjectMapper().readTree(path.toFile());
            return StreamSupport.stream(root.spliterator(), false).collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException("parity vectors: " + path, e);
        }
    }

    /** The vectors of OpenClaw's function {@code fn}, in file order. */
    public static List<JsonNode> of(String fn) {
        return all().stream().filter(v -> v.get("fn").asText().equals(fn)).collect(Collectors.toList());
    }

    /**
     * A vector's {@code SsrFPolicy} as a {@link GuardPolicy}; {@code null} (no policy) is the
     * default. OpenClaw's {@code allowPrivateNetwork} and {@code dangerouslyAllowPrivateNetwork}
     * are both our {@code unsafeAllowPrivateNetwork}.
     */
    public static GuardPolicy guardPolicy(JsonNode policy) {
        GuardPolicy p = GuardPolicy.defaults();
        if (policy == null) {
            return p;
        }
        return p.withUnsafeAllowPrivateNetwork(policy.path("allowPrivateNetwork").asBoolean(false)
                        || policy.path("dangerouslyAllowPrivateNetwork").asBoolean(false))
                .withAllowedHostnames(new HashSet<>(strings(policy.path("allowedHostnames"))))
                .withHostnameAllowlist(strings(policy.path("hostnameAllowlist")))
                .withBlockedHostnames(strings(policy.path("blockedHostnames")))
                .withAllowRfc2544BenchmarkRange(policy.path("allowRfc2544BenchmarkRange").asBoolean(false))
                .withAllowIpv6UniqueLocalRange(policy.path("allowIpv6UniqueLocalRange").asBoolean(false));
    }

    /** A JSON array of strings as a list (an absent array is empty). */
    public static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Path path() {
        String configured = System.getProperty("egressguard.parity");
        Path path = configured != null ? Path.of(configured) : Path.of("../../shared/testdata/openclaw-parity.json");
        if (!Files.exists(path)) {
            path = Path.of("../shared/testdata/openclaw-parity.json").toAbsolutePath();
        }
        return path;
    }
}
