package dev.orderservice.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Every log line of this JVM while open: the server's own (through the root logger), and Kafka's
 * clients and broker at INFO, which logs each client's whole configuration as it is made (only
 * here, not on the console). A line is its formatted message and the text of its exception, as a
 * log file would hold them. Close to restore the logging as it was. Thread safe.
 */
final class CapturedLog implements AutoCloseable {

  private static final List<String> KAFKA_LOGGERS = List.of("org.apache.kafka", "kafka");

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final List<Logger> kafka = new ArrayList<>();
  private final List<Level> kafkaLevels = new ArrayList<>();

  private CapturedLog() {
    appender.start();
    root.addAppender(appender);
    for (String name : KAFKA_LOGGERS) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      kafka.add(logger);
      kafkaLevels.add(logger.getLevel());
      logger.setLevel(Level.INFO);
      logger.setAdditive(false);
      logger.addAppender(appender);
    }
  }

  static CapturedLog start() {
    return new CapturedLog();
  }

  /** The lines so far. */
  List<String> lines() {
    List<ILoggingEvent> events;
    synchronized (appender) {
      events = new ArrayList<>(appender.list);
    }
    List<String> lines = new ArrayList<>(events.size());
    for (ILoggingEvent event : events) {
      String line =
          event.getLevel() + " " + event.getLoggerName() + " - " + event.getFormattedMessage();
      if (event.getThrowableProxy() != null) {
        line += "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
      }
      lines.add(line);
    }
    return lines;
  }

  @Override
  public void close() {
    for (int i = 0; i < kafka.size(); i++) {
      kafka.get(i).detachAppender(appender);
      kafka.get(i).setAdditive(true);
      kafka.get(i).setLevel(kafkaLevels.get(i));
    }
    root.detachAppender(appender);
    appender.stop();
  }
}
