package dev.egressguard.server.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Everything egressguard and Netty log while it is open, at DEBUG — messages and the text of their
 * exceptions — for tests that must prove something never reaches a log. Restores the levels on close.
 */
public final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger egressguard = (Logger) LoggerFactory.getLogger("dev.egressguard");
    private final Logger netty = (Logger) LoggerFactory.getLogger("io.netty");
    private final Level egressguardWas = egressguard.getLevel();
    private final Level nettyWas = netty.getLevel();

    public CapturedLogs() {
        setContext(root.getLoggerContext());
        start();
        root.addAppender(this);
        egressguard.setLevel(Level.DEBUG);
        netty.setLevel(Level.DEBUG);
    }

    @Override
    protected void append(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(event.getLoggerName()).append(": ").append(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            sb.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
        }
        lines.add(sb.toString());
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        egressguard.setLevel(egressguardWas);
        netty.setLevel(nettyWas);
        root.detachAppender(this);
        stop();
    }
}
