package dev.egressguard.cli.isolate;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/** Closing channels without letting a close failure hide what caused it. */
final class Sockets {
    private Sockets() {}

    static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // already broken: nothing left to release
        }
    }

    /** Closes with a reset where the transport has one (TCP), so that the client sees a failure, not an empty answer. */
    static void abort(SocketChannel c) {
        try {
            c.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | UnsupportedOperationException notTcp) {
            // Unix domain sockets have no reset; a plain close it is
        }
        closeQuietly(c);
    }
}
