package dev.egressguard.cli;

import dev.egressguard.cli.isolate.ProcessSignals;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
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
    private volatile Consumer<String> target;

    private ChildSignals() {}

    /** For a child in this process's terminal session: what the terminal sends the whole group is not sent twice. */
    static ChildSignals install() {
        // On a terminal, Ctrl-C and a hangup reach the whole foreground group, the child included:
        // passing them on too would deliver them twice (a second INT means "force quit" to many runtimes).
        return install(System.console() != null ? List.of("TERM") : FORWARDED);
    }

    /** For a child in a session of its own (run --isolate), which the terminal's signals never reach. */
    static ChildSignals installForDetachedChild() {
        return install(FORWARDED);
    }

    private static ChildSignals install(List<String> forwarded) {
        ChildSignals signals = new ChildSignals();
        for (String name : forwarded) {
            try {
                Signal.handle(new Signal(name), s -> signals.received(name));
            } catch (IllegalArgumentException unsupported) {
                log.debug("signal {} cannot be handled here", name);
            }
        }
        return signals;
    }

    void forwardTo(Process started) {
        forwardTo(name -> ProcessSignals.send(started, name));
    }

    /** From now on, signals (and those that came before) go to {@code sink}, by name ({@code TERM}). */
    synchronized void forwardTo(Consumer<String> sink) {
        this.target = sink;
        for (String name = pending.poll(); name != null; name = pending.poll()) {
            sink.accept(name);
        }
    }

    private synchronized void received(String name) {
        Consumer<String> t = target;
        if (t == null) {
            pending.add(name);
        } else {
            t.accept(name);
        }
    }
}
