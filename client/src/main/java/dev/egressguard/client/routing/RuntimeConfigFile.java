package dev.egressguard.client.routing;

import dev.egressguard.core.io.BoundedReads;
import dev.egressguard.core.net.UrlCredentials;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The runtime config file that holds the spec's {@code proxy:} block ({@code proxy.enabled},
 * {@code proxy.proxyUrl}, and egressguard's {@code proxy.socksUrl} and {@code proxy.caFile}) among whatever else the runtime
 * keeps there. Other keys are kept as they
 * are (comments are not). Immutable: {@link #with} and {@link #without} return the changed file,
 * {@link #save} writes it atomically, readable by its owner only (it may hold proxy credentials).
 */
public final class RuntimeConfigFile {
    public static final String PROXY_ENABLED = "proxy.enabled";
    public static final String PROXY_URL = "proxy.proxyUrl";
    /** Largest runtime config file read: 1 MiB, whatever the file is (a pipe or a device has no size to trust). */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** egressguard's addition: the proxy's SOCKS5 listener, handed to children as {@code ALL_PROXY}. */
    public static final String SOCKS_URL = "proxy.socksUrl";
    /** egressguard's addition: the proxy's interception CA (PEM), which {@code run} makes children trust (docs/tls.md). */
    public static final String CA_FILE = "proxy.caFile";
    /** The expectation in every message about {@code proxy.socksUrl}. */
    public static final String SOCKS_EXPECTED = "expected: a socks5h:// URL with host and port, e.g. socks5h://127.0.0.1:1080";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");

    private final Path path;
    private final Map<String, Object> root;

    private RuntimeConfigFile(Path path, Map<String, Object> root) {
        this.path = path;
        this.root = root;
    }

    /**
     * Where the runtime config lives: {@code explicit} if given, else {@code $OPENCLAW_STATE_DIR/config.yaml},
     * else {@code ~/.openclaw/config.yaml}.
     */
    public static Path locate(Optional<Path> explicit, Map<String, String> env, Path home) {
        if (explicit.isPresent()) {
            return explicit.get();
        }
        return stateDir(env, home).resolve("config.yaml");
    }

    /** The home directory as the runtime sees it: {@code $HOME} when set (as Node's {@code os.homedir()}), else {@code user.home}. */
    public static Path home(Map<String, String> env) {
        String h = env.get("HOME");
        return h != null && !h.isBlank() ? Path.of(h) : Path.of(System.getProperty("user.home"));
    }

    /** {@code $OPENCLAW_STATE_DIR}, else {@code ~/.openclaw}. */
    static Path stateDir(Map<String, String> env, Path home) {
        String state = env.get("OPENCLAW_STATE_DIR");
        return state != null && !state.isBlank() ? Path.of(state.strip()) : home.resolve(".openclaw");
    }

    /** The file's content; an absent file is an empty config. */
    public static RuntimeConfigFile load(Path path) {
        if (!Files.exists(path)) {
            return new RuntimeConfigFile(path, new LinkedHashMap<>());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(BoundedReads.readFile(path, MAX_FILE_BYTES))).toString();
        } catch (BoundedReads.TooLargeException e) {
            throw new RuntimeConfigException(path + ": larger than " + MAX_FILE_BYTES + " bytes (expected: a runtime config file)");
        } catch (IOException e) {
            throw new RuntimeConfigException(path + ": cannot read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setCodePointLimit(MAX_FILE_BYTES);
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(options)).load(text);
        } catch (YAMLException e) {
            throw new RuntimeConfigException(path + ": not valid YAML (" + firstLine(e.getMessage()) + ")");
        }
        if (doc == null) {
            return new RuntimeConfigFile(path, new LinkedHashMap<>());
        }
        if (!(doc instanceof Map)) {
            throw new RuntimeConfigException(path + ": (document) (expected: a mapping of keys to values)");
        }
        return new RuntimeConfigFile(path, deepCopy(doc));
    }

    public Path path() {
        return path;
    }

    /** The value at a dotted key ({@code proxy.enabled}), if present. */
    public Optional<Object> get(String key) {
        Object node = root;
        for (String part : checkKey(key).split("\\.")) {
            if (!(node instanceof Map)) {
                return Optional.empty();
            }
            node = ((Map<?, ?>) node).get(part);
        }
        return Optional.ofNullable(node);
    }

    /** {@code proxy.enabled}: true, false, or absent. A value that is not a boolean is an error, not a guess. */
    public Optional<Boolean> proxyEnabled() {
        checkProxyShape();
        Optional<Object> v = get(PROXY_ENABLED);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(booleanValue(PROXY_ENABLED, v.get()));
    }

    /** {@code proxy.proxyUrl} as text, if present and not blank. */
    public Optional<String> proxyUrl() {
        checkProxyShape();
        return get(PROXY_URL).map(Object::toString).filter(s -> !s.isBlank());
    }

    /** {@code proxy.socksUrl} as text, if present and not blank. */
    public Optional<String> socksUrl() {
        checkProxyShape();
        return get(SOCKS_URL).map(Object::toString).filter(s -> !s.isBlank());
    }

    /** {@code proxy.caFile} as a path, if present and not blank. */
    public Optional<Path> caFile() {
        checkProxyShape();
        return get(CA_FILE).map(Object::toString).filter(s -> !s.isBlank()).map(s -> Path.of(s.strip()));
    }

    /**
     * A {@code proxy} that is not a mapping, or a literal {@code proxy.enabled} key, would otherwise
     * read as "not enabled" and let a process run unrouted without a word: both are errors.
     */
    private void checkProxyShape() {
        Object proxy = root.get("proxy");
        if (proxy != null && !(proxy instanceof Map)) {
            throw new RuntimeConfigException(path + ": proxy: \"" + proxy + "\" (expected: a mapping with enabled and proxyUrl)");
        }
        for (String literal : new String[] {PROXY_ENABLED, PROXY_URL, SOCKS_URL, CA_FILE}) {
            if (root.containsKey(literal)) {
                throw new RuntimeConfigException(path + ": \"" + literal + "\" is a key of its own here (expected: proxy:\n  "
                        + literal.substring(6) + ": ..., nested under proxy)");
            }
        }
    }

    /**
     * The file with {@code key} set to {@code value} (a YAML scalar: {@code true}, {@code 8080}, text).
     * The spec's keys are validated: {@code proxy.enabled} must be a boolean, {@code proxy.proxyUrl} an
     * {@code http://host:port} forward proxy, {@code proxy.socksUrl} a {@code socks5h://host:port} proxy.
     */
    public RuntimeConfigFile with(String key, String value) {
        checkKey(key);
        Object parsed = scalar(value);
        if (key.equals(PROXY_ENABLED)) {
            parsed = booleanValue(key, parsed);
        } else if (key.equals(PROXY_URL)) {
            String text = value.strip();
            boolean usable = ProxyUrl.tryParse(text).map(ProxyUrl::isUsableForwardProxy).orElse(false);
            if (!usable) {
                throw new RuntimeConfigException(key + ": " + ProxyUrl.tryParse(text).map(ProxyUrl::redacted).orElse("\"" + UrlCredentials.redact(text) + "\"")
                        + " (expected: an http:// forward proxy URL with host and port, e.g. http://127.0.0.1:3128)");
            }
            parsed = text;
        } else if (key.equals(SOCKS_URL)) {
            String text = value.strip();
            if (ProxyUrl.tryParseSocks(text).isEmpty()) {
                throw new RuntimeConfigException(key + ": \"" + UrlCredentials.redact(text) + "\" (" + SOCKS_EXPECTED + ")");
            }
            parsed = text;
        } else if (key.equals(CA_FILE)) {
            Path file = Path.of(value.strip()).toAbsolutePath().normalize();
            try {
                CaBundles.read(file);
            } catch (ProxyRoutingException e) {
                throw new RuntimeConfigException(key + ": " + e.getMessage().substring("proxy: ".length()));
            }
            parsed = file.toString();
        }
        Map<String, Object> copy = deepCopy(root);
        String[] parts = key.split("\\.");
        Map<String, Object> node = copy;
        for (int i = 0; i < parts.length - 1; i++) {
            Object next = node.get(parts[i]);
            if (next != null && !(next instanceof Map)) {
                throw new RuntimeConfigException(key + ": " + String.join(".", java.util.Arrays.copyOf(parts, i + 1))
                        + " holds a value, not a mapping (expected: a mapping to set " + key + " in)");
            }
            if (next == null) {
                next = new LinkedHashMap<String, Object>();
                node.put(parts[i], next);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) next;
            node = m;
        }
        node.put(parts[parts.length - 1], parsed);
        return new RuntimeConfigFile(path, copy);
    }

    /** The file without {@code key} (and without mappings that became empty). */
    public RuntimeConfigFile without(String key) {
        Map<String, Object> copy = deepCopy(root);
        remove(copy, checkKey(key).split("\\."), 0);
        return new RuntimeConfigFile(path, copy);
    }

    private static boolean remove(Map<String, Object> node, String[] parts, int i) {
        if (i == parts.length - 1) {
            node.remove(parts[i]);
        } else if (node.get(parts[i]) instanceof Map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> child = (Map<String, Object>) node.get(parts[i]);
            if (remove(child, parts, i + 1)) {
                node.remove(parts[i]);
            }
        }
        return node.isEmpty();
    }

    /** Writes the file atomically (a temporary file beside it, then a rename), mode 0600 where POSIX. */
    public void save() {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        String text = root.isEmpty() ? "" : new Yaml(new Representer(options), options).dump(root);
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".config-", ".yaml.tmp");
            try {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // keep the platform default
                }
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new RuntimeConfigException(path + ": cannot write (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new RuntimeConfigException("key: \"" + key + "\" (expected: dotted names such as proxy.enabled)");
        }
        return key;
    }

    private static boolean booleanValue(String key, Object value) {
        if (value instanceof Boolean) {
            return (Boolean) value;
        }
        String s = String.valueOf(value).strip().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return s.equals("true");
        }
        throw new RuntimeConfigException(key + ": \"" + value + "\" (expected: true or false)");
    }

    private static Object scalar(String value) {
        try {
            Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(value);
            return o instanceof Map || o instanceof java.util.List || o == null ? value : o;
        } catch (YAMLException e) {
            return value;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Object map) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) map).entrySet()) {
            Object v = e.getValue();
            out.put(String.valueOf(e.getKey()), v instanceof Map ? deepCopy(v) : v);
        }
        return out;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
