package dev.egressguard.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A salted password hash: {@code pbkdf2-sha256$ITERATIONS$SALT$HASH} (salt and hash in unpadded
 * base64). What a policy file stores for a proxy user; {@link #matches} compares in constant time.
 * Verifying costs about {@value #DEFAULT_ITERATIONS} PBKDF2 rounds: callers cache results and keep it
 * off event loops.
 *
 * <p>A plain secret read when the policy loads (a {@code passwordFile} or {@code passwordEnv}) is
 * {@link #deferred}: hashing it would cost start-up the same rounds, so the secret is held until
 * {@link #prepare} hashes it (the proxy does so on its hashing thread once it listens). Checking a
 * password against a deferred secret costs the same one derivation as against a hash, so the answer
 * is right, and as slow, whether or not the secret has been hashed yet.
 */
public final class PasswordHash {
    public static final String SCHEME = "pbkdf2-sha256";
    public static final int DEFAULT_ITERATIONS = 210_000;
    private static final int MIN_ITERATIONS = 10_000;
    /** Largest {@code passwordFile} read (and password read from standard input): a password, not a document. */
    public static final int MAX_FILE_BYTES = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final int HASH_BYTES = 32;

    private final int iterations;
    private final byte[] salt;
    private final int hashBytes;
    /** The derived hash; null while the secret is deferred. */
    private volatile byte[] hash;
    /** The plain secret of a deferred hash until it is hashed; guarded by {@code this}. */
    private char[] pending;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hashBytes = hash.length;
        this.hash = hash;
    }

    private PasswordHash(int iterations, byte[] salt, char[] pending) {
        this.iterations = iterations;
        this.salt = salt;
        this.hashBytes = HASH_BYTES;
        this.pending = pending;
    }

    /** Hashes {@code password} with a new random 16-byte salt. */
    public static PasswordHash of(char[] password) {
        return of(password, DEFAULT_ITERATIONS);
    }

    static PasswordHash of(char[] password, int iterations) {
        byte[] salt = newSalt();
        return new PasswordHash(iterations, salt, derive(password, salt, iterations, HASH_BYTES));
    }

    /** {@code password} (copied), with a new random salt, hashed later by {@link #prepare} or when first matched. */
    public static PasswordHash deferred(char[] password) {
        return new PasswordHash(DEFAULT_ITERATIONS, newSalt(), password.clone());
    }

    /**
     * A hash no password matches (a random salt and a random hash), as costly to check as one
     * made by {@link #of}: what an unknown user name is checked against. Made without PBKDF2.
     */
    public static PasswordHash decoy() {
        byte[] hash = new byte[HASH_BYTES];
        RANDOM.nextBytes(hash);
        return new PasswordHash(DEFAULT_ITERATIONS, newSalt(), hash);
    }

    private static byte[] newSalt() {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return salt;
    }

    /** Hashes a {@link #deferred} secret now and forgets it; does nothing for a hash. Slow: not on an event loop. */
    public void prepare() {
        char[] secret;
        synchronized (this) {
            if (hash != null) {
                return;
            }
            secret = pending.clone();
        }
        try {
            adopt(derive(secret, salt, iterations, hashBytes));
        } finally {
            Arrays.fill(secret, '\0');
        }
    }

    private synchronized void adopt(byte[] derived) {
        if (hash == null) {
            hash = derived;
            Arrays.fill(pending, '\0');
            pending = null;
        }
    }

    /** Whether the secret is hashed (not {@link #deferred}, or prepared since). */
    public boolean isPrepared() {
        return hash != null;
    }

    /** Parses the stored form; empty when it is not one. */
    public static Optional<PasswordHash> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.strip().split("\\$");
        if (parts.length != 4 || !parts[0].equals(SCHEME)) {
            return Optional.empty();
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (iterations < MIN_ITERATIONS || iterations > 10_000_000 || salt.length < 8 || hash.length < 16) {
                return Optional.empty();
            }
            return Optional.of(new PasswordHash(iterations, salt, hash));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** What {@link #tryParse} expects, for error messages. */
    public static String expectedForm() {
        return SCHEME + "$ITERATIONS$SALT$HASH (make one with: egressguard policy hash-password); iterations >= " + MIN_ITERATIONS;
    }

    /** True when {@code password} hashes to this; constant time in the comparison. */
    public boolean matches(String password) {
        Objects.requireNonNull(password, "password");
        byte[] presented = derive(password.toCharArray(), salt, iterations, hashBytes);
        byte[] stored = hash;
        if (stored != null) {
            return MessageDigest.isEqual(stored, presented);
        }
        synchronized (this) {
            if (hash != null) {
                return MessageDigest.isEqual(hash, presented);
            }
            if (!sameChars(pending, password)) {
                return false;
            }
        }
        adopt(presented); // the same secret derives the same hash: keep it
        return true;
    }

    /** Compares in time that depends on the lengths only, never on where the texts differ. */
    private static boolean sameChars(char[] secret, String presented) {
        int diff = secret.length ^ presented.length();
        for (int i = 0; i < secret.length; i++) {
            diff |= secret[i] ^ (i < presented.length() ? presented.charAt(i) : 0);
        }
        return diff == 0;
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }

    /** The stored form. It holds no secret a reader could use directly, but it is still kept out of logs. */
    public String encoded() {
        prepare();
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    @Override
    public String toString() {
        return SCHEME + "$" + iterations + "$(redacted)";
    }

    /** UTF-8 bytes of a secret read from a file, without one trailing line break. */
    static String secretFromFile(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }
}
