package dev.egressguard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI image tarball that {@code mvn -Pimage} builds (failsafe runs this in that profile): its
 * layout and config, its layers unpacked into a directory, and — as root — the JVM started in
 * that directory with chroot, as the image's user, with the image's entrypoint and environment.
 * The one network connection is to the proxy on 127.0.0.1, for a destination it denies without
 * dialling.
 */
class ImageIT {
    static final Path TAR = Path.of(System.getProperty("egressguard.image.tar",
            Yamls.DEPLOY_DIR.resolve("target/egressguard-image.tar").toString()));
    static final String VERSION = System.getProperty("egressguard.image.version", "");
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    static Path layout;
    static Path rootfs;
    static JsonNode manifest;
    static JsonNode config;
    static List<List<String>> layerEntries = new ArrayList<>();

    @BeforeAll
    static void unpack() throws Exception {
        assumeTrue(Files.isRegularFile(TAR), "no image tarball at " + TAR + " (mvn -pl deploy -am -Pimage package)");
        layout = Files.createDirectories(work.resolve("layout"));
        rootfs = Files.createDirectories(work.resolve("rootfs"));
        tar(layout, "-xf", TAR.toString(), "-C", layout.toString());

        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests")).as("one image in the tarball").hasSize(1);
        manifest = JSON.readTree(blob(index.path("manifests").get(0)));
        config = JSON.readTree(blob(manifest.path("config")));
        for (JsonNode layer : manifest.path("layers")) {
            assertThat(layer.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
            Path file = layout.resolve("blobs/sha256/" + digestHex(layer));
            blob(layer); // checks size and digest
            layerEntries.add(tar(layout, "-tzf", file.toString()).lines().toList());
            // in order, as a runtime stacks them (from scratch: no whiteouts, checked below)
            tar(layout, "-xzpf", file.toString(), "-C", rootfs.toString());
        }
    }

    private static String tar(Path dir, String... args) throws Exception {
        // Jib writes libarchive's creation-time headers, which GNU tar does not know
        List<String> command = new ArrayList<>(List.of("tar", "--warning=no-unknown-keyword"));
        command.addAll(List.of(args));
        Commands.Result r = Commands.run(dir, null, MINUTE, command);
        assertThat(r.exit()).as("tar %s: %s", String.join(" ", args), r.output()).isZero();
        return r.output();
    }

    private static String digestHex(JsonNode descriptor) {
        String digest = descriptor.path("digest").asText();
        assertThat(digest).matches("sha256:[0-9a-f]{64}");
        return digest.substring("sha256:".length());
    }

    /** A blob's bytes, after checking them against the descriptor's size and digest. */
    private static byte[] blob(JsonNode descriptor) throws IOException, NoSuchAlgorithmException {
        byte[] bytes = Files.readAllBytes(layout.resolve("blobs/sha256/" + digestHex(descriptor)));
        assertThat((long) bytes.length).as("size of %s", descriptor.path("digest")).isEqualTo(descriptor.path("size").asLong());
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        assertThat(actual).as("digest").isEqualTo(digestHex(descriptor));
        return bytes;
    }

    @Test
    void isAnOciLayoutNamedAfterTheVersion() throws IOException {
        assertThat(JSON.readTree(layout.resolve("oci-layout").toFile()).path("imageLayoutVersion").asText()).isEqualTo("1.0.0");
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests").get(0).path("annotations").path("org.opencontainers.image.ref.name").asText())
                .isEqualTo("egressguard:" + VERSION);
        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo("application/vnd.oci.image.config.v1+json");
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(config.path("architecture").asText()).isNotBlank();
    }

    @Test
    void runsTheJarAsTheNumericNonRootUserOfTheDeployment() {
        JsonNode c = config.path("config");
        String user = c.path("User").asText();
        assertThat(user).as("numeric UID:GID, so that runAsNonRoot can check it").matches("[0-9]+:[0-9]+");
        int uid = Integer.parseInt(user.split(":")[0]);
        assertThat(uid).isNotZero();
        Map<String, Object> pod = Yamls.map(DeployManifestsTest.deployment().root(), "spec.template.spec");
        assertThat(Yamls.integer(pod, "securityContext.runAsUser")).isEqualTo(uid);
        assertThat(Yamls.integer(pod, "securityContext.runAsGroup")).isEqualTo(Integer.parseInt(user.split(":")[1]));

        List<String> entrypoint = strings(c.path("Entrypoint"));
        assertThat(entrypoint.get(0)).isEqualTo("/opt/java/bin/java");
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size())).containsExactly("-jar", "/app/egressguard.jar");
        assertThat(strings(c.path("Cmd"))).containsExactly("proxy");
        assertThat(env()).containsEntry("LANG", "C.UTF-8").containsEntry("JAVA_HOME", "/opt/java");
    }

    @Test
    void exposesTheDeploymentsPortsAndCarriesLabels() {
        JsonNode c = config.path("config");
        List<String> exposed = new ArrayList<>();
        c.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
        assertThat(exposed).containsExactlyInAnyOrder("3128/tcp", "9090/tcp");
        for (String name : List.of("proxy", "admin")) {
            assertThat(exposed).contains(DeployManifestsTest.containerPort(name) + "/tcp");
        }
        JsonNode labels = c.path("Labels");
        assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("egressguard");
        assertThat(labels.path("org.opencontainers.image.version").asText()).isEqualTo(VERSION);
        assertThat(labels.path("org.opencontainers.image.base.name").asText()).isEqualTo("scratch");
        assertThat(c.path("Volumes").has("/tmp")).isTrue();
    }

    @Test
    void layersAreTheRuntimeThenTheJarWithNothingElse() throws Exception {
        assertThat(layerEntries).as("JRE and libraries, then the jar").hasSize(2);
        for (List<String> entries : layerEntries) {
            assertThat(entries).noneMatch(e -> e.contains(".wh.")).noneMatch(e -> e.startsWith("/") || e.contains(".."));
        }
        assertThat(layerEntries.get(0)).contains("opt/java/bin/java", "lib64/ld-linux-x86-64.so.2", "etc/passwd")
                .noneMatch(e -> e.startsWith("app/") && !e.equals("app/"));
        assertThat(layerEntries.get(1)).containsExactlyInAnyOrder("app/", "app/egressguard.jar");

        for (String exe : List.of("opt/java/bin/java", "lib64/ld-linux-x86-64.so.2")) {
            assertThat(Files.getPosixFilePermissions(rootfs.resolve(exe))).as(exe)
                    .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
        }
        assertThat(Files.readString(rootfs.resolve("etc/passwd"))).contains(":65532:65532:");
        try (Stream<Path> all = Files.walk(rootfs)) {
            assertThat(all.filter(Files::isSymbolicLink).toList()).as("no symlinks out of the image").isEmpty();
        }
        String setid = Commands.run(work, MINUTE, "find", rootfs.toString(), "-perm", "/6000").output();
        assertThat(setid).as("no setuid/setgid files").isBlank();
    }

    // --- Running it: chroot, as the image's user, with a private /proc (glibc's $ORIGIN needs it) ---

    static void assumeRootWithChroot() throws IOException {
        assumeTrue(Commands.uid() == 0, "chroot needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/chroot")) && Files.isExecutable(Path.of("/usr/bin/unshare")),
                "chroot and unshare (util-linux, coreutils)");
        Files.createDirectories(rootfs.resolve("proc"));
        // What a container runtime mounts; a name server that is this machine, so nothing leaves it.
        Files.writeString(rootfs.resolve("etc/resolv.conf"), "nameserver 127.0.0.1\n");
    }

    static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : config.path("config").path("Env")) {
            String s = e.asText();
            env.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
        }
        return env;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** unshare + chroot + the image's user, then command (absolute paths inside the image). */
    static List<String> inImage(List<String> command) {
        List<String> c = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--pid", "--fork", "--kill-child=SIGTERM",
                "--mount-proc=" + rootfs.resolve("proc"), "/usr/sbin/chroot",
                "--userspec=" + config.path("config").path("User").asText(), rootfs.toString()));
        c.addAll(command);
        return c;
    }

    static List<String> entrypointWith(String... args) {
        List<String> c = new ArrayList<>(strings(config.path("config").path("Entrypoint")));
        c.addAll(List.of(args));
        return c;
    }

    static Commands.Result runInImage(List<String> command) throws Exception {
        return Commands.run(work, env(), MINUTE, inImage(command));
    }

    @Test
    void theJvmStartsInTheImageAndPrintsItsVersion() throws Exception {
        assumeRootWithChroot();
        Commands.Result r = runInImage(entrypointWith("--version"));
        System.out.println("[image] egressguard --version:\n" + r.output());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).startsWith("egressguard " + VERSION + "\n").contains("Java 17");
    }

    @Test
    void policyShowAndLintWorkInTheImage() throws Exception {
        assumeRootWithChroot();
        Commands.Result show = runInImage(entrypointWith("policy", "show"));
        assertThat(show.exit()).as(show.output()).isZero();
        assertThat(show.output()).contains("# effective policy; source: embedded default", "169.254.169.254");
        System.out.println("[image] policy show: " + show.output().lines().count() + " lines, first: "
                + show.output().lines().findFirst().orElse(""));

        Object text = Yamls.map(DeployManifestsTest.one("ConfigMap", "egressguard-policy").root(), "data").get("policy.yaml");
        Files.createDirectories(rootfs.resolve("etc/egressguard"));
        Files.writeString(rootfs.resolve("etc/egressguard/policy.yaml"), (String) text);
        Commands.Result lint = runInImage(entrypointWith("policy", "lint", "/etc/egressguard/policy.yaml"));
        System.out.println("[image] policy lint (the ConfigMap's policy), exit " + lint.exit());
        assertThat(lint.exit()).as("1: warnings only (the non-loopback listen). %s", lint.output()).isEqualTo(1);
        assertThat(lint.output()).contains("listen");
    }

    @Test
    void theJvmReadsAndWritesUtf8() throws Exception {
        assumeRootWithChroot();
        Commands.Result r = runInImage(List.of("/opt/java/bin/java", "-XX:-UsePerfData", "-XshowSettings:properties", "-version"));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("sun.jnu.encoding = UTF-8", "file.encoding = UTF-8", "user.name = nonroot");
    }

    @Test
    void theProxyServesAndDeniesMetadataFromTheImage() throws Exception {
        assumeRootWithChroot();
        Path out = work.resolve("proxy.out");
        Path err = work.resolve("proxy.err");
        ProcessBuilder pb = new ProcessBuilder(inImage(entrypointWith("proxy", "--listen", "127.0.0.1:0")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        pb.environment().putAll(env());
        Process p = pb.start();
        try {
            int port = awaitBanner(p, err);
            String response = get(port, "http://169.254.169.254/latest/meta-data/");
            System.out.println("[image] proxy on 127.0.0.1:" + port + " answered: " + response.lines().findFirst().orElse(""));
            assertThat(response).startsWith("HTTP/1.1 403").contains("X-Egressguard-Reason: ip.metadata");
            String audit = awaitContent(out, "\"event\":\"close\"");
            assertThat(audit).contains("\"reason\":\"ip.metadata\"").doesNotContain("meta-data");
        } finally {
            // SIGTERM to the JVM (PID 1 of its namespace), as the kubelet sends it; then wait, bounded.
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            boolean ended = p.waitFor(60, TimeUnit.SECONDS);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            if (!ended) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(ended).as("the proxy ends on SIGTERM within 60s").isTrue();
        }
    }

    private static int awaitBanner(Process p, Path err) throws Exception {
        Pattern banner = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+);");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = banner.matcher(Files.readString(err));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            assertThat(p.isAlive()).as("the proxy exited: %s", Files.readString(err)).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("no banner within 60s: " + Files.readString(err));
    }

    private static String awaitContent(Path file, String needle) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String s = Files.readString(file);
            if (s.contains(needle)) {
                return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + needle + " in " + file + " within 10s: " + Files.readString(file));
    }

    /** One request through the proxy on loopback; the answer until the proxy closes (bounded). */
    private static String get(int port, String url) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            s.setSoTimeout(10_000);
            String host = url.replaceFirst("^http://", "").replaceFirst("/.*$", "");
            OutputStream o = s.getOutputStream();
            o.write(("GET " + url + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            byte[] answer = in.readNBytes(64 * 1024);
            return new String(answer, StandardCharsets.UTF_8);
        }
    }
}
