package dev.orderservice.ingest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What the ingest logs while a test runs (its one logger), to read back. Close to stop. */
final class IngestLog implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger(OrderIngest.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private IngestLog() {
    appender.start();
    logger.addAppender(appender);
  }

  static IngestLog capture() {
    return new IngestLog();
  }

  /** The formatted messages logged at {@code level} so far. */
  List<String> messages(Level level) {
    return events(level).stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** The events logged at {@code level} so far, with their MDC. */
  List<ILoggingEvent> events(Level level) {
    return List.copyOf(appender.list).stream().filter(e -> e.getLevel() == level).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
