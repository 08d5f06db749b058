package dev.egressguard.server;

import dev.egressguard.config.PasswordHash;
import dev.egressguard.config.ProxyUser;
import dev.egressguard.core.policy.Reason;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Checks {@code Proxy-Authorization: Basic} against {@code auth.users}. A password hash costs
 * ~{@value PasswordHash#DEFAULT_ITERATIONS} PBKDF2 rounds, so verification runs on one hashing
 * thread (never an event loop) behind a bounded queue, and outcomes are cached by a digest of the
 * credential (never the credential itself): a client presenting the same credential again costs a
 * map lookup. A full queue refuses with {@link Reason#LIMIT_RATE} instead of queueing without bound.
 */
final class ProxyAuthenticator {
    /** The user, or why not. */
    record Outcome(String user, Reason refusal) {
        boolean ok() {
            return refusal == null;
        }
    }

    private static final long ACCEPTED_TTL_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final long REFUSED_TTL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int CACHE_SIZE = 4096;
    /** What an unknown name is checked against: random bytes, no PBKDF2, so nothing to defer. */
    private static final PasswordHash DECOY = PasswordHash.decoy();

    /** An outcome, valid only for the users list it was judged against (a reload brings a new list). */
    private record Cached(Outcome outcome, long expiresNanos, List<ProxyUser> users) {}

    private final Map<String, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > CACHE_SIZE;
        }
    };
    private final ThreadPoolExecutor hashing = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256), r -> {
        Thread t = new Thread(r, "egressguard-auth");
        t.setDaemon(true);
        return t;
    });

    /** Judges a request's {@code Proxy-Authorization} value (null when absent); completes on {@code executor}. */
    Future<Outcome> authenticate(EventExecutor executor, String header, List<ProxyUser> users) {
        Promise<Outcome> promise = executor.newPromise();
        if (header == null || header.isBlank()) {
            return promise.setSuccess(new Outcome(null, Reason.CLIENT_AUTH_REQUIRED));
        }
        String key = digest(header);
        long now = System.nanoTime();
        synchronized (cache) {
            Cached c = cache.get(key);
            if (c != null && c.expiresNanos - now > 0 && c.users == users) {
                return promise.setSuccess(c.outcome);
            }
        }
        try {
            hashing.execute(() -> {
                try {
                    Outcome o = verify(header, users);
                    synchronized (cache) {
                        cache.put(key, new Cached(o, System.nanoTime() + (o.ok() ? ACCEPTED_TTL_NANOS : REFUSED_TTL_NANOS), users));
                    }
                    promise.trySuccess(o);
                } catch (RuntimeException e) {
                    promise.trySuccess(new Outcome(null, Reason.INTERNAL_ERROR)); // fail closed, and answer
                }
            });
        } catch (RejectedExecutionException busy) {
            promise.trySuccess(new Outcome(null, Reason.LIMIT_RATE));
        }
        return promise;
    }

    /**
     * Hashes the users' deferred plain secrets on the hashing thread, behind any check already
     * queued. Until then a check still answers correctly, at the same cost (see {@link PasswordHash#deferred}).
     */
    void prepare(List<ProxyUser> users) {
        if (users.stream().allMatch(u -> u.password().isPrepared())) {
            return;
        }
        try {
            hashing.execute(() -> users.forEach(u -> u.password().prepare()));
        } catch (RejectedExecutionException busy) {
            // shut down, or a full queue: each secret is still hashed at its first successful check
        }
    }

    /** Forgets every cached outcome (the users changed). */
    void forget() {
        synchronized (cache) {
            cache.clear();
        }
    }

    void close() {
        hashing.shutdownNow();
    }

    static Outcome verify(String header, List<ProxyUser> users) {
        String h = header.strip();
        if (h.length() < 6 || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
            return new Outcome(null, Reason.CLIENT_AUTH_FAILED);
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(h.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Outcome(null, Reason.CLIENT_AUTH_FAILED);
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return new Outcome(null, Reason.CLIENT_AUTH_FAILED);
        }
        String name = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        for (ProxyUser u : users) {
            if (u.name().equals(name)) {
                return u.password().matches(password) ? new Outcome(u.name(), null) : new Outcome(null, Reason.CLIENT_AUTH_FAILED);
            }
        }
        DECOY.matches(password); // an unknown name costs what a wrong password does
        return new Outcome(null, Reason.CLIENT_AUTH_FAILED);
    }

    private static String digest(String header) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(header.strip().getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
