package dev.egressguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/egressguard}'s start-up archive and JVM settings, run for real: the launcher and the
 * built jar copied into a scratch tree (no sources, so no build), so that the archive it records
 * there can be broken without touching the one beside the real jar.
 */
class LauncherArchiveIT {
    private static final Path LAUNCHER = Path.of("../bin/egressguard").toAbsolutePath().normalize();
    private static final Path JAR = Path.of("target/egressguard.jar").toAbsolutePath();
    private static final String ALLOWED = "1.2.3.4  allow  ip.public";

    @TempDir
    Path root;

    record Outcome(int exit, String out, String err) {}

    @BeforeEach
    void copyTheLauncherAndTheJar() throws IOException {
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("cli/target"));
        Files.copy(LAUNCHER, root.resolve("bin/egressguard"));
        assertThat(root.resolve("bin/egressguard").toFile().setExecutable(true)).isTrue();
        Files.copy(JAR, root.resolve("cli/target/egressguard.jar"));
    }

    @Test
    void theFirstRunRecordsAnArchiveThatLaterRunsMap() throws Exception {
        Outcome first = run(Map.of(), "check", "1.2.3.4");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).startsWith(ALLOWED);
        assertThat(first.err()).isEmpty();
        Path archive = archive();
        assertThat(Files.readString(Path.of(archive + ".size")).strip()).isEqualTo(Long.toString(Files.size(archive)));

        Outcome logged = run(Map.of("EGRESSGUARD_JAVA_OPTS", "-Xlog:class+load=info"), "check", "1.2.3.4");
        assertThat(logged.exit()).isZero();
        assertThat(logged.out()).as("the jar's own classes come from the archive")
                .containsPattern("dev\\.egressguard\\.cli\\.CheckCommand source: shared objects file");
    }

    @Test
    void aTruncatedOrCorruptArchiveIsNotUsedAndTheRunGoesOn() throws Exception {
        assertThat(run(Map.of(), "check", "1.2.3.4").exit()).isZero();
        Path archive = archive();
        byte[] bytes = Files.readAllBytes(archive);
        archive.toFile().setWritable(true);
        Files.write(archive, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // mapping this would crash the JVM
        Outcome truncated = run(Map.of(), "check", "1.2.3.4");
        assertThat(truncated.exit()).as(truncated.err()).isZero();
        assertThat(truncated.out()).startsWith(ALLOWED);
        assertThat(truncated.err()).isEmpty();

        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 7); // the recorded size, but not an archive
        }
        Files.write(archive, bytes);
        Outcome garbage = run(Map.of(), "check", "1.2.3.4");
        assertThat(garbage.exit()).as(garbage.err()).isZero();
        assertThat(garbage.out()).startsWith(ALLOWED);
        assertThat(garbage.err()).as("falls back silently").isEmpty();
    }

    @Test
    void aFailedTrainingIsRememberedAndTheRunGoesOnWithoutAnArchive() throws Exception {
        Path jar = root.resolve("cli/target/egressguard.jar");
        Outcome first = run(Map.of("EGRESSGUARD_ARCHIVE", "off"), "check", "1.2.3.4");
        assertThat(first.exit()).isZero();
        assertThat(archives()).as("EGRESSGUARD_ARCHIVE=off records nothing").isEmpty();

        // a training that cannot run (the jar has no StartupTraining): marked failed, then not retried
        Path stale = root.resolve("stale.jar");
        Files.copy(jar, stale);
        try (var zip = java.nio.file.FileSystems.newFileSystem(stale)) {
            Files.delete(zip.getPath("dev/egressguard/cli/StartupTraining.class"));
        }
        Files.move(stale, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Outcome failed = run(Map.of(), "check", "1.2.3.4");
        assertThat(failed.exit()).as(failed.err()).isZero();
        assertThat(failed.out()).startsWith(ALLOWED);
        assertThat(failed.err()).isEmpty();
        assertThat(archives()).allMatch(p -> p.toString().endsWith(".failed"), "only the failure marker").hasSize(1);
        FileTime marked = Files.getLastModifiedTime(archives().get(0));
        Thread.sleep(1100);
        assertThat(run(Map.of(), "check", "1.2.3.4").exit()).isZero();
        assertThat(Files.getLastModifiedTime(archives().get(0))).as("not retried until the jar changes").isEqualTo(marked);
    }

    @Test
    void theDefaultsAreTheSidecarSettingsAndEgressguardJavaOptsReplacesThem() throws Exception {
        // JAVA_TOOL_OPTIONS come before the command line, so the launcher's own flags still win
        Outcome defaults = run(Map.of("JAVA_TOOL_OPTIONS", "-XX:+PrintFlagsFinal"), "check", "1.2.3.4");
        assertThat(defaults.exit()).isZero();
        assertThat(defaults.out()).containsPattern("bool UseSerialGC +=( )+true").containsPattern("size_t MaxHeapSize +=( )+268435456")
                .containsPattern("intx TieredStopAtLevel +=( )+1 ");

        Outcome replaced = run(Map.of("JAVA_TOOL_OPTIONS", "-XX:+PrintFlagsFinal", "EGRESSGUARD_JAVA_OPTS", "-XX:+UseParallelGC -Xmx64m"),
                "check", "1.2.3.4");
        assertThat(replaced.exit()).isZero();
        assertThat(replaced.out()).containsPattern("bool UseParallelGC +=( )+true").containsPattern("bool UseSerialGC +=( )+false")
                .containsPattern("size_t MaxHeapSize +=( )+67108864").contains(ALLOWED);
    }

    private Path archive() throws IOException {
        List<Path> found = archives().stream().filter(p -> p.toString().endsWith(".jsa") || p.toString().endsWith(".aot")).toList();
        assertThat(found).as("one archive in cli/target").hasSize(1);
        return found.get(0);
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("cli/target"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("egressguard-java-") && !p.toString().endsWith(".size")).toList();
        }
    }

    private Outcome run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/egressguard").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("EGRESSGUARD_JAVA_OPTS");
        pb.environment().remove("EGRESSGUARD_ARCHIVE");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not finish within 180 s");
        }
        String stderr = Files.readString(err).replaceAll("(?m)^Picked up JAVA_TOOL_OPTIONS:.*\\R", "");
        return new Outcome(p.exitValue(), Files.readString(out), stderr);
    }
}
