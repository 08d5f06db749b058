package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code egressguard proxy} as a real process: SIGHUP reloads (refusing invalid files), SIGTERM drains and exits, unsafe listens refused. */
class ProxyProcessIT {
    private static final Path JAR = Path.of("target/egressguard.jar").toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final HttpClient DIRECT = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();

    private static String policy(int... openPorts) {
        StringBuilder ports = new StringBuilder();
        for (int p : openPorts) {
            ports.append(ports.length() == 0 ? "" : ", ").append(p);
        }
        return "listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\nlimits:\n  drainTimeout: 5s\nallow:\n  - cidr: 127.0.0.1/32\n    ports: ["
                + ports + "]\n    reason: test origin\n";
    }

    @Test
    void hupReloadsAndTermDrains(@TempDir Path dir) throws Exception {
        HttpServer origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        origin.createContext("/", x -> {
            byte[] b = "hello\n".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        origin.start();
        Path file = dir.resolve("policy.yaml");
        Path err = dir.resolve("err.txt");
        int originPort = origin.getAddress().getPort();
        Files.writeString(file, policy(1));
        Process proxy = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "proxy", "--policy", file.toString())
                .redirectError(err.toFile()).redirectOutput(dir.resolve("audit.jsonl").toFile()).start();
        try {
            Matcher m = awaitBanner(err);
            int port = Integer.parseInt(m.group(1));
            int admin = Integer.parseInt(m.group(2));
            HttpClient viaProxy = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", port))).build();
            URI target = URI.create("http://127.0.0.1:" + originPort + "/");
            assertThat(viaProxy.send(HttpRequest.newBuilder(target).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);

            Files.writeString(file, "allow:\n  - cidr: 10.0.0.0/33\n    reason: typo\n");
            signal(proxy, "HUP");
            awaitMetric(admin, "egressguard_policy_reload_failures_total 1");
            assertThat(Files.readString(err)).contains("policy reload refused").contains("allow[0].cidr: \"10.0.0.0/33\"");
            assertThat(viaProxy.send(HttpRequest.newBuilder(target).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("still the old policy").isEqualTo(403);

            Files.writeString(file, policy(originPort));
            signal(proxy, "HUP");
            awaitMetric(admin, "egressguard_policy_generation 2");
            HttpResponse<String> ok = viaProxy.send(HttpRequest.newBuilder(target).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("hello\n");

            proxy.destroy(); // SIGTERM
            assertThat(proxy.waitFor(20, TimeUnit.SECONDS)).as("exits after draining").isTrue();
            assertThat(Files.readString(dir.resolve("audit.jsonl"))).contains("\"policy_generation\":2");
        } finally {
            proxy.destroyForcibly();
            origin.stop(0);
        }
    }

    @Test
    void anOpenProxyOnANonLoopbackAddressIsRefused(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder(JAVA, "-jar", JAR.toString(), "proxy", "--listen", "0.0.0.0:0", "--admin-listen", "off")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("refusing to start").contains("set clients.allow to the sources that may use the proxy");
    }

    private static Matcher awaitBanner(Path err) throws Exception {
        Pattern banner = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+);.*admin: 127\\.0\\.0\\.1:(\\d+)");
        for (int i = 0; i < 300; i++) {
            Matcher m = banner.matcher(Files.readString(err));
            if (m.find()) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no banner: " + Files.readString(err));
    }

    private static void signal(Process p, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private static void awaitMetric(int admin, String line) throws Exception {
        String body = "";
        for (int i = 0; i < 100; i++) {
            body = DIRECT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (List.of(body.split("\n")).contains(line)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("metric line \"" + line + "\" never appeared:\n" + body);
    }
}
