package dev.egressguard.server;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.function.Supplier;

/** One value per event-loop thread, made on its first use there; only that loop touches it, so it needs no lock. */
final class PerEventLoop<T> {
    private final FastThreadLocal<T> values;

    PerEventLoop(Supplier<T> make) {
        this.values = new FastThreadLocal<>() {
            @Override
            protected T initialValue() {
                return make.get();
            }
        };
    }

    T get() {
        return values.get();
    }

    /** Whether the current loop has made its value yet. */
    boolean isSet() {
        return values.isSet();
    }
}
