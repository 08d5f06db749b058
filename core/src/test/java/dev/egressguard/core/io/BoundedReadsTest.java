package dev.egressguard.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class BoundedReadsTest {
    @Test
    void readsUpToTheLimitExactly(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("f"), new byte[10]);
        assertThat(BoundedReads.readFile(file, 10)).hasSize(10);
        assertThatThrownBy(() -> BoundedReads.readFile(file, 9)).isInstanceOf(BoundedReads.TooLargeException.class)
                .hasMessage(file + " is larger than 9 bytes");
        assertThat(BoundedReads.read(new ByteArrayInputStream(new byte[0]), 0, "x")).isEmpty();
        assertThatThrownBy(() -> BoundedReads.read(new ByteArrayInputStream(new byte[1]), -1, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    /** A device reports size 0 and never ends: only a bounded read stops. */
    @Test
    @Timeout(30)
    void aDeviceWithoutEndStopsAtTheLimit() throws IOException {
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(zero), "/dev/zero exists");
        assertThat(Files.size(zero)).isZero();
        assertThatThrownBy(() -> BoundedReads.readFile(zero, 1 << 20)).isInstanceOf(BoundedReads.TooLargeException.class);
    }

    /** A stream that never ends is read one byte past the limit, no further. */
    @Test
    void anEndlessStreamIsReadOneBytePastTheLimit() {
        long[] served = new long[1];
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served[0]++;
                return 'a';
            }
        };
        assertThatThrownBy(() -> BoundedReads.read(endless, 4096, "stdin")).isInstanceOf(BoundedReads.TooLargeException.class)
                .hasMessage("stdin is larger than 4096 bytes");
        assertThat(served[0]).isEqualTo(4097);
    }
}
