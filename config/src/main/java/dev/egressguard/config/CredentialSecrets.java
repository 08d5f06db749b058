package dev.egressguard.config;

import dev.egressguard.core.io.BoundedReads;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the secret of an intercepted host's credential, when the policy loads: {@code {env: NAME}}
 * (an environment variable of the proxy) or {@code {file: FILE}} (one line; a trailing line break
 * is dropped). The secret is read by the proxy only — the agent never sees the policy's secrets —
 * and must fit in a header: no line breaks or control characters. A secret that cannot be read is
 * a problem at its key, naming the variable or file and never the value.
 */
final class CredentialSecrets {
    /** Largest secret file read. */
    static final int MAX_FILE_BYTES = 16 * 1024;
    private static final Set<String> SOURCE = NodeReader.keys("env", "file");
    private static final String EXPECTED = "{env: NAME} or {file: FILE}: where the proxy reads the secret";

    /** A secret and where it came from ({@code env EG_GITHUB_TOKEN}, {@code file /run/secrets/gh}). */
    record Secret(String value, String source) {
        @Override
        public String toString() {
            return "(redacted; from " + source + ")";
        }
    }

    private final NodeReader r;

    CredentialSecrets(NodeReader reader) {
        this.r = reader;
    }

    Optional<Secret> read(Node n, String path) {
        Map<String, Node> m = r.mapping(n, path, SOURCE);
        if (!(n instanceof MappingNode) || m.size() != 1) {
            if (n instanceof MappingNode) {
                r.problem(n, path, null, EXPECTED);
            }
            return Optional.empty();
        }
        if (m.containsKey("env")) {
            Optional<String> name = r.string(m.get("env"), path + ".env", "an environment variable name");
            if (name.isEmpty()) {
                return Optional.empty();
            }
            String value = System.getenv(name.get().strip());
            if (value == null || value.isEmpty()) {
                r.problem(m.get("env"), path + ".env", name.get(), "an environment variable of the proxy that is set and holds the secret");
                return Optional.empty();
            }
            return checked(m.get("env"), path + ".env", name.get(), value, "env " + name.get().strip());
        }
        Optional<String> file = r.string(m.get("file"), path + ".file", "a file holding the secret");
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            byte[] bytes = BoundedReads.readFile(Path.of(file.get().strip()), MAX_FILE_BYTES);
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            String value = text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            return checked(m.get("file"), path + ".file", file.get(), value, "file " + file.get().strip());
        } catch (BoundedReads.TooLargeException e) {
            r.problem(m.get("file"), path + ".file", file.get(), "a secret file of at most " + MAX_FILE_BYTES + " bytes");
        } catch (CharacterCodingException e) {
            r.problem(m.get("file"), path + ".file", file.get(), "a secret file of UTF-8 text");
        } catch (IOException | RuntimeException e) {
            r.problem(m.get("file"), path + ".file", file.get(), "a readable file holding the secret (" + e.getClass().getSimpleName() + ")");
        }
        return Optional.empty();
    }

    /** The secret must be one line of visible text: it goes into a header. */
    private Optional<Secret> checked(Node at, String path, String where, String value, String source) {
        boolean control = value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f);
        if (value.isBlank() || control) {
            r.problem(at, path, where, "a non-empty secret on one line, without control characters (it goes into a header)");
            return Optional.empty();
        }
        return Optional.of(new Secret(value, source));
    }
}
