package dev.egressguard.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.server.ProxyServer;
import dev.egressguard.server.support.HttpUpstream;
import dev.egressguard.server.support.LoopbackDialGuard;
import dev.egressguard.server.support.RecordingAuditSink;
import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin status page in headless Chromium (Debian's package, installed by .ci/run): after real
 * traffic through the proxy, the page's script has fetched /status.json and rendered the live
 * figures, which the rendered DOM and a screenshot show.
 */
@Tag("real-client")
class StatusPageChromiumIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static List<String> chromium(Path profile, String... args) {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--virtual-time-budget=4000", "--window-size=1280,900"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void theStatusPageRendersLiveFigures(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "skipped: Debian's chromium is not installed (.ci/run installs it)");
        try (HttpUpstream origin = HttpUpstream.http("127.0.0.1")) {
            String yaml = "listen: 127.0.0.1:0\nadmin:\n  listen: 127.0.0.1:0\nallow:\n  - cidr: 127.0.0.1/32\n    ports: [" + origin.port()
                    + "]\n    reason: test origin\n";
            LoopbackDialGuard dials = new LoopbackDialGuard();
            try (ProxyServer proxy = ProxyServer.start(PolicyFileLoader.parse(yaml, "status page test"), new RecordingAuditSink(), dials)) {
                Proxy via = new Proxy(Proxy.Type.HTTP, proxy.address());
                for (String target : List.of("http://127.0.0.1:" + origin.port() + "/echo", "http://169.254.169.254/latest/meta-data/",
                        "http://10.0.0.7/", "http://127.0.0.1:" + origin.port() + "/echo")) {
                    java.net.HttpURLConnection c = (java.net.HttpURLConnection) new URL(target).openConnection(via);
                    c.getResponseCode();
                    c.disconnect();
                }
                InetSocketAddress admin = proxy.adminAddress().orElseThrow();
                String page = "http://127.0.0.1:" + admin.getPort() + "/";

                ChildProcess.Result dom = ChildProcess.run(chromium(dir.resolve("p1"), "--dump-dom", page), Map.of(), null, Duration.ofSeconds(90));
                assertThat(dom.exit()).as(dom.err()).isZero();
                assertThat(dom.out()).contains("169.254.169.254:80").contains("ip.metadata").contains("10.0.0.7:80").contains("ip.private")
                        .contains("<b id=\"denied\">2</b>").contains("<b id=\"allowed\">2</b>")
                        .contains("status page test").contains(">ready<");

                Path shot = dir.resolve("status.png");
                ChildProcess.Result screenshot = ChildProcess.run(chromium(dir.resolve("p2"), "--screenshot=" + shot, page), Map.of(), null,
                        Duration.ofSeconds(90));
                assertThat(screenshot.exit()).as(screenshot.err()).isZero();
                BufferedImage image = ImageIO.read(shot.toFile());
                assertThat(image.getWidth()).isEqualTo(1280);
                Set<Integer> colours = new HashSet<>();
                for (int y = 0; y < image.getHeight(); y += 4) {
                    for (int x = 0; x < image.getWidth(); x += 4) {
                        colours.add(image.getRGB(x, y));
                    }
                }
                assertThat(colours.size()).as("a rendered page (header, cards, text), not a blank or error screen").isGreaterThan(20);
                // the header bar is dark and the denial rows are present: the top-left pixel is the header colour
                assertThat(image.getRGB(5, 5) & 0xffffff).isEqualTo(0x1d2330);
            }
            assertThat(dials.violations()).isEmpty();
        }
    }
}
