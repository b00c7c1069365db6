package dev.orderservice.server;

import dev.orderservice.server.config.ServerConfig;
import dev.orderservice.server.config.ServerOptions;
import dev.orderservice.server.lifecycle.BackingServices;
import dev.orderservice.server.lifecycle.StartRefusedException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code order-server}: reads the settings, starts the {@link OrderServer}, and on SIGTERM or
 * SIGINT shuts it down gracefully and exits with 0.
 *
 * <p>Exit codes: 0 after {@code --help}, {@code --version} or a signal-initiated shutdown (also one
 * that comes while the server is still starting); 1 when the server cannot start; 2 for an invalid
 * setting, or a missing one that a build without embedded mode needs (one line on stderr saying
 * which and why).
 *
 * <p><b>Why signal handlers and not a shutdown hook.</b> On SIGTERM the JVM runs its shutdown hooks
 * and then exits with 143 (128 + 15), which orchestrators and {@code docker stop} report as a
 * failure. Handling TERM and INT with {@code sun.misc.Signal} replaces the JVM's own handling: the
 * main thread, woken by the handler, runs the graceful shutdown, then calls {@code System.exit(0)},
 * which still runs the remaining hooks (the embedded servers register their own, by then no-ops). A
 * second signal during the shutdown is logged and ignored; the shutdown is bounded by {@link
 * OrderServer#SHUTDOWN_TIMEOUT}, and a watchdog halts the JVM should it hang past that.
 */
public final class Main {

  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    // jOOQ prints a banner and tips to the log on first use unless told not to.
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, System.getenv(), out, err));
  }

  /**
   * Runs the command: prints help or version, or starts the server and blocks until a signal has
   * shut it down.
   *
   * @return the exit code
   */
  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cli = ServerOptions.commandLine(env);
    ServerConfig config;
    try {
      ServerOptions options = ServerOptions.read(cli, args);
      if (cli.isUsageHelpRequested()) {
        cli.usage(out);
        return EXIT_OK;
      }
      if (cli.isVersionHelpRequested()) {
        cli.printVersionHelp(out);
        return EXIT_OK;
      }
      config = options.toConfig();
      BackingServices.requireEmbeddedModeWhereUnconfigured(config);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return EXIT_USAGE;
    }
    config.logFormat().apply();
    CountDownLatch stop = new CountDownLatch(1);
    AtomicBoolean starting = new AtomicBoolean(true);
    handleSignals(stop, starting, Thread.currentThread());
    OrderServer server;
    try {
      server = OrderServer.start(config);
    } catch (RuntimeException e) {
      if (stop.getCount() == 0) {
        LOG.info("stopped before it finished starting");
        return EXIT_OK;
      }
      if (e instanceof StartRefusedException) {
        LOG.error("could not start: {}", e.getMessage()); // the sentence says it all
      } else {
        LOG.error("could not start: {}", e.toString(), e);
      }
      err.println("order-server: could not start: " + e.getMessage());
      return EXIT_FAILED;
    } finally {
      starting.set(false);
    }
    awaitUninterruptibly(stop);
    Thread.interrupted(); // a signal that came as start returned may have left the flag set
    startWatchdog();
    server.close();
    return EXIT_OK;
  }

  /**
   * On the first signal: count {@code stop} down, and if the server is still starting, interrupt
   * the starting thread so that a start waiting for the database gives up at once.
   */
  private static void handleSignals(CountDownLatch stop, AtomicBoolean starting, Thread main) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> {
            if (stop.getCount() > 0) {
              LOG.info("received SIG{}; shutting down", signal.getName());
              stop.countDown();
              if (starting.get()) {
                main.interrupt();
              }
            } else {
              LOG.info("received SIG{} again; the shutdown is already under way", signal.getName());
            }
          });
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // Only a signal ends the server; keep waiting.
      }
    }
  }

  /** Halts the JVM if the bounded shutdown somehow does not end. */
  private static void startWatchdog() {
    long limitMillis = OrderServer.SHUTDOWN_TIMEOUT.toMillis() + 10_000;
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(limitMillis);
                LOG.error("shutdown did not finish in {} ms; halting", limitMillis);
                Runtime.getRuntime().halt(EXIT_FAILED);
              } catch (InterruptedException e) {
                // the JVM is exiting
              }
            },
            "order-server-shutdown-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
