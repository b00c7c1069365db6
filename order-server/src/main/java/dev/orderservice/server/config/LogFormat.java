package dev.orderservice.server.config;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/**
 * How the server's log lines look on stdout: {@link #TEXT}, the pattern of {@code logback.xml}, or
 * {@link #JSON}, one JSON object per line from logback's own {@link JsonEncoder}: {@code
 * timestamp}, {@code level}, {@code threadName}, {@code loggerName}, {@code mdc} (e.g. {@code
 * topic}, {@code partition} and {@code offset} on ingest lines, {@code route} and {@code status} on
 * access lines) and the formatted {@code message}; never the raw arguments.
 */
public enum LogFormat {
  TEXT,
  JSON;

  /** Switches the console appenders of the root logger to this format; TEXT changes nothing. */
  public void apply() {
    if (this == TEXT || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithArguments(false);
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        appender.stop();
        appender.setEncoder(encoder);
        appender.start();
      }
    }
  }
}
