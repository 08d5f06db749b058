package dev.egressguard.server;

import dev.egressguard.config.ConfigException;
import dev.egressguard.config.ConfigProblem;
import dev.egressguard.config.PolicyFileLoader;
import dev.egressguard.core.io.BoundedReads;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the policy file when its content changes (checked every few seconds; content, not
 * timestamps, so Kubernetes' ConfigMap symlink swaps count) and on request ({@code SIGHUP}). A new
 * file is validated whole first: an invalid one keeps the old policy, logs every problem and bumps
 * the reload-failure metric.
 */
public final class PolicyWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PolicyWatcher.class);

    /** What a reload attempt did. */
    public enum Outcome { RELOADED, UNCHANGED, REFUSED }

    private final Path file;
    private final ProxyServer server;
    private final ScheduledExecutorService timer;
    private byte[] lastDigest;

    public PolicyWatcher(Path file, ProxyServer server, Duration interval) {
        this.file = file;
        this.server = server;
        this.lastDigest = digest(read(file));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "egressguard-policy-watch");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                reload(false);
            } catch (Throwable t) { // a task that throws is never scheduled again: nothing may escape
                log.error("policy watch failed; the current policy stays in force: {}", t.toString());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Reloads now (on SIGHUP), whether or not the content changed; runs on the watcher's thread. */
    public java.util.concurrent.Future<Outcome> reloadNow() {
        return timer.submit(() -> reload(true));
    }

    private synchronized Outcome reload(boolean forced) {
        byte[] bytes = read(file);
        byte[] now = digest(bytes);
        if (!forced && Arrays.equals(now, lastDigest)) {
            return Outcome.UNCHANGED;
        }
        lastDigest = now;
        try {
            // the bytes that were hashed are the bytes that are loaded
            server.reload(bytes == null ? PolicyFileLoader.load(file) : PolicyFileLoader.parse(bytes, file.toString()));
            return Outcome.RELOADED;
        } catch (ConfigException e) {
            server.reloadFailed();
            log.error("policy reload refused, the old policy stays in force: {} problem(s) in {}", e.problems().size(), file);
            for (ConfigProblem p : e.problems()) {
                log.error("  {}", p);
            }
            return Outcome.REFUSED;
        } catch (RuntimeException e) {
            server.reloadFailed();
            log.error("policy reload refused, the old policy stays in force: {}", e.getMessage());
            return Outcome.REFUSED;
        }
    }

    private static byte[] read(Path file) {
        try {
            return BoundedReads.readFile(file, PolicyFileLoader.MAX_FILE_BYTES);
        } catch (IOException e) {
            return null; // unreadable or too large: the loader reports it
        }
    }

    private static byte[] digest(byte[] bytes) {
        if (bytes == null) {
            return new byte[0];
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
