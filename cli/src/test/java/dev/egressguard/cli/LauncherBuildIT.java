package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/egressguard}'s first-use build, run for real: the launcher, copied beside a small
 * stand-in reactor (a {@code cli} module whose jar is {@code cli/target/egressguard.jar}) with no
 * {@code target} yet, builds with the real Maven and runs the jar. Its output must be clean text:
 * no terminal escape codes (Maven's console library writes colour resets even in batch mode).
 */
class LauncherBuildIT {
    private static final Path LAUNCHER = Path.of("../bin/egressguard").toAbsolutePath().normalize();
    private static final String PLUGINS = plugin("maven-compiler-plugin", "3.13.0") + plugin("maven-surefire-plugin", "3.5.2")
            + plugin("maven-jar-plugin", "3.4.2") + plugin("maven-resources-plugin", "3.3.1") + plugin("maven-install-plugin", "3.1.3");

    private static String plugin(String artifact, String version) {
        return "<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>" + artifact + "</artifactId><version>" + version
                + "</version></plugin>";
    }

    record Outcome(int exit, byte[] out, byte[] err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8) + new String(err, StandardCharsets.UTF_8);
        }
    }

    @Test
    void theFirstUseBuildPrintsPlainTextAndTheSecondRunDoesNotBuild(@TempDir Path root) throws Exception {
        Assumptions.assumeTrue(onPath("mvn"), "mvn is not on PATH");
        Files.createDirectories(root.resolve("bin"));
        Files.copy(LAUNCHER, root.resolve("bin/egressguard"));
        assertThat(root.resolve("bin/egressguard").toFile().setExecutable(true)).isTrue();
        // a stand-in reactor: never installed anywhere (maven.install.skip), plugins as the real build pins them
        Files.writeString(root.resolve("pom.xml"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<groupId>dev.egressguard.launchertest</groupId><artifactId>mini</artifactId><version>1</version><packaging>pom</packaging>"
                + "<modules><module>cli</module></modules><properties><maven.compiler.release>17</maven.compiler.release>"
                + "<project.build.sourceEncoding>UTF-8</project.build.sourceEncoding><maven.install.skip>true</maven.install.skip>"
                + "</properties><build><pluginManagement><plugins>" + PLUGINS + "</plugins></pluginManagement></build></project>\n");
        Files.createDirectories(root.resolve("cli/src/main/java"));
        Files.writeString(root.resolve("cli/pom.xml"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<parent><groupId>dev.egressguard.launchertest</groupId><artifactId>mini</artifactId><version>1</version></parent>"
                + "<artifactId>cli</artifactId><build><finalName>egressguard</finalName><plugins><plugin>"
                + "<groupId>org.apache.maven.plugins</groupId><artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest>"
                + "<mainClass>Main</mainClass></manifest></archive></configuration></plugin></plugins></build></project>\n");
        Files.writeString(root.resolve("cli/src/main/java/Main.java"),
                "public class Main { public static void main(String[] a) { System.out.println(\"stand-in ran \" + String.join(\" \", a)); } }\n");

        Outcome first = run(root, "check", "x");
        assertThat(first.exit()).as("first run: %s", first.text()).isZero();
        assertThat(new String(first.out(), StandardCharsets.UTF_8)).isEqualTo("stand-in ran check x\n");
        assertThat(new String(first.err(), StandardCharsets.UTF_8)).startsWith("egressguard: building ");
        assertThat(root.resolve("cli/target/egressguard.jar")).exists();
        assertNoEscapes(first);

        Outcome second = run(root, "again");
        assertThat(second.exit()).isZero();
        assertThat(second.err()).as("nothing changed: no build").isEmpty();
        assertThat(new String(second.out(), StandardCharsets.UTF_8)).isEqualTo("stand-in ran again\n");
    }

    private static void assertNoEscapes(Outcome o) {
        for (byte[] stream : List.of(o.out(), o.err())) {
            for (int i = 0; i < stream.length; i++) {
                assertThat(stream[i]).as("byte %d of the launcher's output is ESC: %s", i, o.text()).isNotEqualTo((byte) 0x1b);
            }
        }
    }

    private static Outcome run(Path root, String... args) throws IOException, InterruptedException {
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("bin/egressguard").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("MAVEN_OPTS");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not finish within 180 s");
        }
        return new Outcome(p.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err));
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
