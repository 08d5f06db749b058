package dev.egressguard.it;

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
