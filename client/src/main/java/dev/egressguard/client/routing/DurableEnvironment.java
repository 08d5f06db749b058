package dev.egressguard.client.routing;

import dev.egressguard.core.io.BoundedReads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A service's durable environment file ({@code $OPENCLAW_STATE_DIR/.env} or {@code ~/.openclaw/.env}):
 * {@code KEY=VALUE} lines, optional {@code export }, {@code #} comments, single or double quotes.
 * Values of the real environment win over the file's.
 */
final class DurableEnvironment {
    /** Largest file read: 1 MiB, whatever the file is (a pipe or a device has no size to trust). */
    static final int MAX_FILE_BYTES = 1 << 20;

    private DurableEnvironment() {}

    /** The file's variables; empty when the file does not exist. Unreadable files are an error: routing must not guess. */
    static Map<String, String> read(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(BoundedReads.readFile(file, MAX_FILE_BYTES)))
                    .toString().lines().collect(Collectors.toList());
        } catch (IOException e) {
            throw new ProxyRoutingException("proxy: cannot read the durable environment " + file + ": " + e.getMessage());
        }
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                    && value.charAt(value.length() - 1) == value.charAt(0)) {
                value = value.substring(1, value.length() - 1);
            } else {
                int comment = value.indexOf(" #");
                if (comment >= 0) {
                    value = value.substring(0, comment).strip();
                }
            }
            out.put(key, value);
        }
        return out;
    }
}
