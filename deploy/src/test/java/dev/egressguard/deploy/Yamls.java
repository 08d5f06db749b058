package dev.egressguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reading the manifests: multi-document YAML, and paths such as {@code spec.ports[0].name} into it. */
final class Yamls {
    /** The deploy module's directory (set by the pom; the working directory when run from an IDE). */
    static final Path DEPLOY_DIR = Path.of(System.getProperty("egressguard.deploy.dir", "")).toAbsolutePath();

    /** One document of a manifest file. */
    record Doc(Path file, int index, Map<String, Object> root) {
        String kind() {
            return Yamls.string(root, "kind");
        }

        String name() {
            return Yamls.string(root, "metadata.name");
        }

        Object at(String path) {
            return Yamls.at(root, path);
        }

        String where() {
            return file.getFileName() + "#" + index + " (" + kind()
                    + (Yamls.has(root, "metadata.name") ? " " + name() : "") + ")";
        }
    }

    private Yamls() {}

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every *.yaml file under dir, sorted by name. */
    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every non-empty document of a file; each must be a mapping. */
    @SuppressWarnings("unchecked")
    static List<Doc> load(Path file) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<Doc> docs = new ArrayList<>();
        int i = 0;
        for (Object o : yaml.loadAll(read(file))) {
            if (o == null) {
                continue;
            }
            assertThat(o).as("%s document %d", file.getFileName(), i).isInstanceOf(Map.class);
            docs.add(new Doc(file, i++, (Map<String, Object>) o));
        }
        return docs;
    }

    /**
     * The value at a dotted path with optional list indexes ({@code a.b[2].c}); a missing step fails
     * the test and names the path. Map keys that contain dots cannot be reached this way (use
     * {@link #map} and get()).
     */
    static Object at(Object root, String path) {
        Object cur = root;
        String walked = "";
        for (String step : path.split("\\.")) {
            String key = step;
            int index = -1;
            int bracket = step.indexOf('[');
            if (bracket >= 0) {
                key = step.substring(0, bracket);
                index = Integer.parseInt(step.substring(bracket + 1, step.length() - 1));
            }
            walked = walked.isEmpty() ? key : walked + "." + key;
            if (!(cur instanceof Map<?, ?> m) || !m.containsKey(key)) {
                return fail("missing " + walked + " (looking for " + path + ")");
            }
            cur = m.get(key);
            if (index >= 0) {
                if (!(cur instanceof List<?> l) || l.size() <= index) {
                    return fail("missing " + walked + "[" + index + "] (looking for " + path + ")");
                }
                cur = l.get(index);
                walked += "[" + index + "]";
            }
        }
        return cur;
    }

    static boolean has(Object root, String path) {
        try {
            at(root, path);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object root, String path) {
        Object o = at(root, path);
        assertThat(o).as(path).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object root, String path) {
        Object o = at(root, path);
        assertThat(o).as(path).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(Object root, String path) {
        List<Object> l = list(root, path);
        l.forEach(e -> assertThat(e).as(path + "[]").isInstanceOf(Map.class));
        return (List<Map<String, Object>>) (List<?>) l;
    }

    static String string(Object root, String path) {
        Object o = at(root, path);
        assertThat(o).as(path).isInstanceOf(String.class);
        return (String) o;
    }

    static int integer(Object root, String path) {
        Object o = at(root, path);
        assertThat(o).as(path).isInstanceOf(Integer.class);
        return (Integer) o;
    }
}
