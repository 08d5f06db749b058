package dev.egressguard.server.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A logback appender that keeps Netty's leak reports ({@code LEAK:} from ResourceLeakDetector),
 * so tests can fail on them. The suite runs with {@code -Dio.netty.leakDetection.level=paranoid}.
 */
public final class LeakReports extends AppenderBase<ILoggingEvent> {
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String m = event.getFormattedMessage();
        if (m != null && m.contains("LEAK:")) {
            REPORTS.add(m);
        }
    }

    /** Collects garbage and drives the detector so pending reports are logged, then returns them all. */
    public static List<String> collect() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
            for (int j = 0; j < 100; j++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                b.release();
            }
        }
        return List.copyOf(REPORTS);
    }
}
