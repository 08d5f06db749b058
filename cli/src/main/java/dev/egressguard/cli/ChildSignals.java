package dev.egressguard.cli;

import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Passes TERM, INT and HUP on to the child of {@code egressguard run}, so that a service manager's
 * stop reaches the program itself; {@code run} then exits with the child's status. Installed
 * before the child starts: a signal that arrives in between is delivered once it has.
 */
final class ChildSignals {
    private static final Logger log = LoggerFactory.getLogger(ChildSignals.class);
    private static final List<String> FORWARDED = List.of("TERM", "INT", "HUP");

    private final Queue<String> pending = new ConcurrentLinkedQueue<>();
    private volatile Process child;

    private ChildSignals() {}

    static ChildSignals install() {
        ChildSignals signals = new ChildSignals();
        // On a terminal, Ctrl-C and a hangup reach the whole foreground group, the child included:
        // passing them on too would deliver them twice (a second INT means "force quit" to many runtimes).
        List<String> forwarded = System.console() != null ? List.of("TERM") : FORWARDED;
        for (String name : forwarded) {
            try {
                Signal.handle(new Signal(name), s -> signals.received(name));
            } catch (IllegalArgumentException unsupported) {
                log.debug("signal {} cannot be handled here", name);
            }
        }
        return signals;
    }

    synchronized void forwardTo(Process started) {
        this.child = started;
        for (String name = pending.poll(); name != null; name = pending.poll()) {
            send(started, name);
        }
    }

    private synchronized void received(String name) {
        Process c = child;
        if (c == null) {
            pending.add(name);
        } else {
            send(c, name);
        }
    }

    private static void send(Process child, String name) {
        if (!child.isAlive()) {
            return;
        }
        if (name.equals("TERM")) {
            child.destroy();
            return;
        }
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(child.pid())).inheritIO().start();
        } catch (IOException e) {
            log.warn("cannot pass SIG{} to {}: {}", name, child.pid(), e.toString());
        }
    }
}
