package dev.egressguard.server.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * The one JSON writer: jackson-core generators with {@link JsonEscapes}, compact, nothing written
 * between top-level values (a line writer adds its own line breaks). Every JSON egressguard prints
 * goes through here.
 */
public final class JsonGenerators {
    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .characterEscapes(JsonEscapes.INSTANCE)
            .rootValueSeparator((String) null)
            .build();

    /** Writes one JSON document; the only exception it expects is the writer's own. */
    @FunctionalInterface
    public interface Body {
        void writeTo(JsonGenerator g) throws IOException;
    }

    private JsonGenerators() {}

    /** A generator writing to {@code out}; close it to flush. */
    public static JsonGenerator create(Writer out) throws IOException {
        return FACTORY.createGenerator(out);
    }

    /** The document {@code body} writes, as a string (one line). */
    public static String write(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = create(out)) {
            body.writeTo(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }
}
