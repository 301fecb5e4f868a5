package iota.orchestrator;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Records what a logger and its children log, at a chosen level, until closed; for tests of what
 * log lines carry (their MDC). Closing restores the level the test configuration gave.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level before;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String name, Level level) {
    logger = (Logger) LoggerFactory.getLogger(name);
    before = logger.getLevel();
    logger.setLevel(level);
    appender.start();
    logger.addAppender(appender);
  }

  /** Captures {@code name} (a logger or a package) from {@code level} up. */
  public static LogCapture of(String name, Level level) {
    return new LogCapture(name, level);
  }

  /** What was logged so far, oldest first. */
  public List<ILoggingEvent> events() {
    // AppenderBase appends while holding the appender's lock.
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** Forgets what was logged so far. */
  public void clear() {
    synchronized (appender) {
      appender.list.clear();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(before);
  }
}
