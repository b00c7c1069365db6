package dev.orderservice.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderservice.cache.WarmUpStatus;
import dev.orderservice.server.lifecycle.DependencyProblems;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@code GET /healthz} (the process answers) and {@code GET /readyz} (the database answers within
 * {@link #DATABASE_CHECK_TIMEOUT} and the Kafka ingest runs: 200, else 503). Two more things are
 * reported but do not count: the cache warm-up's progress, as misses read through; and whether the
 * live feed's listener listens ({@code live_feed}), as it reconnects by itself and then publishes
 * what was stored meanwhile: the feed loses nothing, and taking the instance out of rotation would
 * only stop its lookups and searches, which do not need the listener. A dependency that refuses the
 * service ({@link DependencyProblems}: wrong credentials, a certificate that does not verify) is
 * listed in {@code problems} with the reason, and keeps it not ready. Thread safe.
 */
public final class HealthEndpoints {

  static final Duration DATABASE_CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final DataSource database;
  private final Executor workers;
  private final BooleanSupplier ingestRunning;
  private final Supplier<WarmUpStatus> warmUp;
  private final BooleanSupplier liveFeedListening;
  private final DependencyProblems problems;

  /** The last database check's answer, for the readiness gauge; false until the first. */
  private volatile boolean databaseUp;

  public HealthEndpoints(
      DataSource database,
      Executor workers,
      BooleanSupplier ingestRunning,
      Supplier<WarmUpStatus> warmUp,
      BooleanSupplier liveFeedListening,
      DependencyProblems problems) {
    this.database = Objects.requireNonNull(database, "database");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.ingestRunning = Objects.requireNonNull(ingestRunning, "ingestRunning");
    this.warmUp = Objects.requireNonNull(warmUp, "warmUp");
    this.liveFeedListening = Objects.requireNonNull(liveFeedListening, "liveFeedListening");
    this.problems = Objects.requireNonNull(problems, "problems");
  }

  /**
   * Registers {@code order.service.ready}: 1 when the last database check succeeded and the ingest
   * runs (what {@code /readyz} answers 200 for), else 0.
   */
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("order.service.ready", this, h -> h.ready(h.databaseUp) ? 1 : 0)
        .description(
            "1 while the service is ready (database reachable, ingest running, no dependency"
                + " refusing it), else 0.")
        .register(registry);
  }

  /** Checks the database now (blocking, bounded) and keeps the answer for the gauge. */
  public void checkDatabase() {
    databaseUp = databaseAnswers();
  }

  void healthz(HttpServerExchange exchange) {
    Responses.json(exchange, StatusCodes.OK, Json.object().put("status", "up"));
  }

  /**
   * The database check runs on a worker, and the answer goes out when it is done or when the
   * timeout passes, whichever is first; no thread waits for it.
   */
  void readyz(HttpServerExchange exchange) {
    CompletableFuture<Boolean> databaseUp;
    try {
      databaseUp = CompletableFuture.supplyAsync(this::databaseAnswers, workers);
    } catch (RejectedExecutionException e) {
      databaseUp = CompletableFuture.completedFuture(false);
    }
    CompletableFuture<Boolean> check =
        databaseUp
            .completeOnTimeout(false, DATABASE_CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .exceptionally(failure -> false);
    exchange.dispatch(
        SameThreadExecutor.INSTANCE,
        () ->
            check.thenAccept(
                up -> ErrorMapping.around(ex -> answer(ex, up)).handleRequest(exchange)));
  }

  private void answer(HttpServerExchange exchange, boolean databaseUp) {
    boolean ingest = ingestRunning.getAsBoolean();
    WarmUpStatus status = warmUp.get();
    ObjectNode body =
        Json.object()
            .put("database", databaseUp ? "up" : "down")
            .put("ingest", ingest ? "running" : "stopped");
    body.putObject("cache_warmup")
        .put("state", status.state().name())
        .put("loaded", status.loaded())
        .put("total", status.total());
    body.put("live_feed", liveFeedListening.getAsBoolean() ? "listening" : "connecting");
    List<DependencyProblems.Problem> now = problems.current();
    if (!now.isEmpty()) {
      ArrayNode list = body.putArray("problems");
      for (DependencyProblems.Problem problem : now) {
        list.addObject()
            .put("dependency", problem.dependency().label())
            .put("kind", problem.kind().label())
            .put("reason", problem.reason());
      }
    }
    Responses.json(
        exchange, ready(databaseUp) ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, body);
  }

  /** Ready: the database answers, the ingest runs and no dependency refuses the service. */
  private boolean ready(boolean databaseUp) {
    return databaseUp && ingestRunning.getAsBoolean() && problems.current().isEmpty();
  }

  private boolean databaseAnswers() {
    boolean up;
    try (Connection connection = database.getConnection()) {
      up = connection.isValid((int) DATABASE_CHECK_TIMEOUT.toSeconds());
    } catch (SQLException | RuntimeException e) {
      up = false;
    }
    databaseUp = up;
    return up;
  }
}
