package dev.egressguard.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Local commands for the tests (none of them touches the network), each bounded in time. */
final class Commands {
    record Result(int exit, String output) {}

    private Commands() {}

    /** Runs a command in dir, stdout and stderr together; fails past the timeout. */
    static Result run(Path dir, Duration timeout, String... command) throws IOException, InterruptedException {
        return run(dir, null, timeout, List.of(command));
    }

    /** As {@link #run(Path, Duration, String...)}, with exactly env as the environment (null: inherit). */
    static Result run(Path dir, Map<String, String> env, Duration timeout, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "command-", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        return new Result(p.exitValue(), output);
    }

    /** The effective user id of this JVM (the owner of /proc/self). */
    static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
