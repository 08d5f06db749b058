package dev.egressguard.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Deferred plain secrets and the decoy: right answers without hashing at load time. */
class PasswordHashTest {
    @Test
    void aDeferredSecretAnswersRightlyBeforeAndAfterItIsHashed() {
        PasswordHash wrongFirst = PasswordHash.deferred("s3cret".toCharArray());
        assertThat(wrongFirst.isPrepared()).isFalse();
        assertThat(wrongFirst.matches("s3cre")).isFalse();
        assertThat(wrongFirst.matches("s3cret!")).isFalse();
        assertThat(wrongFirst.isPrepared()).as("a wrong password hashes nothing").isFalse();
        wrongFirst.prepare();
        assertThat(wrongFirst.isPrepared()).isTrue();
        assertThat(wrongFirst.matches("s3cret")).isTrue();
        assertThat(wrongFirst.matches("S3cret")).isFalse();

        PasswordHash rightFirst = PasswordHash.deferred("s3cret".toCharArray());
        assertThat(rightFirst.matches("s3cret")).isTrue();
        assertThat(rightFirst.isPrepared()).as("a match keeps the hash it derived").isTrue();
        assertThat(rightFirst.matches("s3cret")).isTrue();
        assertThat(PasswordHash.tryParse(rightFirst.encoded()).orElseThrow().matches("s3cret")).isTrue();
    }

    @Test
    void theDeferredSecretIsACopy() {
        char[] secret = "abc".toCharArray();
        PasswordHash h = PasswordHash.deferred(secret);
        java.util.Arrays.fill(secret, 'x');
        assertThat(h.matches("abc")).isTrue();
    }

    @Test
    void encodingADeferredSecretHashesIt() {
        PasswordHash h = PasswordHash.deferred("pw".toCharArray());
        String encoded = h.encoded();
        assertThat(h.isPrepared()).isTrue();
        assertThat(encoded).startsWith(PasswordHash.SCHEME + "$" + PasswordHash.DEFAULT_ITERATIONS + "$");
    }

    @Test
    void theDecoyMatchesNothingAndCostsTheDefaultRounds() {
        PasswordHash decoy = PasswordHash.decoy();
        assertThat(decoy.isPrepared()).isTrue();
        assertThat(decoy.matches("")).isFalse();
        assertThat(decoy.matches("egressguard-decoy")).isFalse();
        assertThat(decoy.encoded()).startsWith(PasswordHash.SCHEME + "$" + PasswordHash.DEFAULT_ITERATIONS + "$");
        assertThat(decoy.encoded()).isNotEqualTo(PasswordHash.decoy().encoded());
    }
}
