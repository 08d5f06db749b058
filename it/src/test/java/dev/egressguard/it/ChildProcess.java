package dev.egressguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real child process with a bounded lifetime and collects its output; ended by PID (destroy) on timeout. */
final class ChildProcess {
    record Result(int exit, String out, String err) {}

    static final Path ROOT = Path.of(System.getProperty("egressguard.root", "..")).toAbsolutePath().normalize();
    static final Path CLI_JAR = ROOT.resolve("cli/target/egressguard.jar");
    static final Path AGENT_JAR = ROOT.resolve("cli/target/egressguard-agent.jar");
    static final Path TEST_CLASSES = ROOT.resolve("it/target/test-classes");
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private ChildProcess() {}

    static Result run(List<String> command, Map<String, String> env, String stdin, Duration timeout) throws Exception {
        Process p = start(command, env);
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        return finish(p, timeout);
    }

    static Process start(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        return pb.start();
    }

    static Result finish(Process p, Duration timeout) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = pump(p.getInputStream(), out);
        Thread e = pump(p.getErrorStream(), err);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("child did not finish within " + timeout + ": " + p.info().commandLine().orElse("?")
                    + "\nstdout: " + out + "\nstderr: " + err);
        }
        o.join(5000);
        e.join(5000);
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A command that copies its standard input to standard output, writes "oops" to standard error and exits 7. */
    static final String[] CAT_OOPS_EXIT_7 = {"sh", "-c", "cat; echo oops >&2; exit 7"};

    /** Runs {@code command} (one that runs {@link #CAT_OOPS_EXIT_7}) and checks that streams and status came through. */
    static void assertStreamsAndStatusPassThrough(List<String> command, Map<String, String> env) throws Exception {
        Result r = run(command, env, "from stdin\n", Duration.ofSeconds(90));
        assertThat(r.exit()).as(r.err()).isEqualTo(7);
        assertThat(r.out()).isEqualTo("from stdin\n");
        assertThat(r.err()).contains("oops");
    }

    /** A shell loop that marks {@code ready} once running and exits 42 on TERM. */
    static String trapTermLoop(Path ready) {
        return "trap 'exit 42' TERM; touch " + ready + "; while :; do sleep 0.1; done";
    }

    /**
     * Starts {@code command} (one that runs {@link #trapTermLoop}), waits (bounded) until it is
     * ready, sends SIGTERM to the process started, by PID, and returns the exit status it ends with.
     */
    static int terminateOnceReady(List<String> command, Map<String, String> env, Path ready, Duration startup) throws Exception {
        Process p = start(command, env);
        long deadline = System.nanoTime() + startup.toNanos();
        while (!Files.exists(ready) && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(50);
        }
        if (!Files.exists(ready)) {
            p.destroyForcibly();
            throw new AssertionError("the child did not start within " + startup + ": " + finish(p, Duration.ofSeconds(10)));
        }
        p.destroy();
        return finish(p, Duration.ofSeconds(30)).exit();
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(to);
            } catch (IOException ignored) {
                // the child closed it
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** {@code java -jar egressguard.jar ARGS}. */
    static List<String> egressguard(String... args) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-jar", CLI_JAR.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A runtime home with {@code .openclaw/config.yaml} holding the given proxy block. */
    static Path homeWithConfig(Path dir, String proxyBlock) throws IOException {
        Path state = Files.createDirectories(dir.resolve(".openclaw"));
        Files.writeString(state.resolve("config.yaml"), proxyBlock);
        return dir;
    }
}
