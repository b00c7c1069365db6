package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.domain.OrderValidator;
import dev.orderservice.persistence.PostgresOrderStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code order-cli get UID}: an order's canonical JSON, from the database or a running service. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Prints an order's canonical JSON, read from PostgreSQL (--db) or from a running service"
          + " (--server).",
      "Exit code 3 when there is no such order."
    })
final class GetCommand implements Callable<Integer> {

  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

  @ParentCommand OrderCli cli;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "UID", description = "The order_uid.")
  String orderUid;

  @Option(names = "--pretty", description = "Indent the JSON.")
  boolean pretty;

  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "Ask a running order-server instead of the database, e.g." + " http://localhost:8080.")
  String server;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (!OrderValidator.isValidOrderUid(orderUid)) {
      throw new ParameterException(
          spec.commandLine(), "not an order_uid: must be 1..64 characters of [A-Za-z0-9_-]");
    }
    Optional<byte[]> json = server == null ? fromDatabase() : fromServer();
    if (json.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "order-cli: order "
              + orderUid
              + " not found"
              + (server == null ? " in the database" : " at " + server));
      err.flush();
      return ExitCode.NOT_FOUND;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(pretty ? indented(json.get()) : new String(json.get(), UTF_8));
    out.flush();
    return ExitCode.OK;
  }

  private Optional<byte[]> fromDatabase() {
    try (HikariDataSource pool = Database.open(cli, false)) {
      return new PostgresOrderStore(pool).findJson(orderUid);
    }
  }

  private Optional<byte[]> fromServer() throws IOException, InterruptedException {
    URI uri;
    try {
      String base = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
      uri = URI.create(base + "/orders/" + URLEncoder.encode(orderUid, UTF_8));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--server: not a URL: " + server);
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    HttpResponse<byte[]> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri)
                  .timeout(HTTP_TIMEOUT)
                  .header("Accept", "application/json")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new CliException(
          "cannot reach the service at "
              + server
              + ": "
              + e
              + " (check --server and that order-server is running)",
          e);
    }
    return switch (response.statusCode()) {
      case 200 -> Optional.of(response.body());
      case 404 -> Optional.empty();
      default ->
          throw new CliException(
              "the service at "
                  + server
                  + " answered HTTP "
                  + response.statusCode()
                  + " for "
                  + uri.getPath());
    };
  }

  private static String indented(byte[] json) throws IOException {
    // A tree keeps the fields in the document's (canonical) order.
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    return mapper.writeValueAsString(mapper.readTree(json));
  }
}
