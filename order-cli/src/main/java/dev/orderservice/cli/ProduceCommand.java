package dev.orderservice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code order-cli produce}: realistic random orders ({@link RandomOrders}: 1 to 5 items, totals
 * that add up) to the topic and/or to an NDJSON file, with an optional share of bad records. For
 * demos, tests and benchmarks.
 */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Generates realistic random orders (1-5 items, consistent totals) and publishes them to the"
          + " topic (--kafka, --topic), keyed by order_uid, as canonical JSON.",
      "With --out the orders are written to an NDJSON file instead; they are then also published"
          + " only if --kafka (or KAFKA_BROKER) is given."
    })
final class ProduceCommand implements Callable<Integer> {

  private static final int BATCH = 500;

  /** The kinds of bad record --invalid-ratio mixes in, in turn. */
  enum Defect {
    BROKEN_EMAIL("broken e-mail"),
    TRUNCATED_JSON("truncated JSON"),
    MISSING_FIELD("missing field");

    final String label;

    Defect(String label) {
      this.label = label;
    }
  }

  @ParentCommand OrderCli cli;

  @Spec CommandSpec spec;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "100",
      description = "How many orders. Default: ${DEFAULT-VALUE}.")
  long count;

  @Option(
      names = "--rate",
      paramLabel = "PER_SECOND",
      defaultValue = "0",
      description = "Orders per second; 0 is as fast as possible. Default: ${DEFAULT-VALUE}.")
  double rate;

  @Option(
      names = "--invalid-ratio",
      paramLabel = "0..1",
      defaultValue = "0",
      description =
          "Share of bad records, spread evenly; in turn a broken e-mail (invalid),"
              + " truncated JSON (unreadable) and a missing field (invalid). Default:"
              + " ${DEFAULT-VALUE}.")
  double invalidRatio;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description = "Seed of the generator, for a repeatable sequence. Default: random.")
  Long seed;

  @Option(names = "--out", paramLabel = "FILE", description = "Write NDJSON to FILE.")
  Path out;

  @Override
  public Integer call() throws IOException, InterruptedException {
    checkOptions();
    boolean publish = out == null || cli.kafkaGiven().isPresent();
    RandomOrders orders = seed == null ? RandomOrders.unseeded() : new RandomOrders(seed);
    Map<Defect, Long> defects = new EnumMap<>(Defect.class);
    Progress progress =
        Progress.ofItems(spec.commandLine().getErr(), cli.terminal(), "orders produced", count);
    List<ProducerRecord<byte[], byte[]>> pending = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
            publish ? KafkaClients.producer(cli.kafkaServers(), cli.kafkaClients()) : null;
        OutputStream file =
            out == null ? null : new BufferedOutputStream(Files.newOutputStream(out))) {
      long startNanos = System.nanoTime();
      for (long i = 0; i < count; i++) {
        Order order = orders.next();
        byte[] value;
        if (isBad(i)) {
          Defect defect =
              Defect.values()[
                  (int)
                      (defects.values().stream().mapToLong(Long::longValue).sum()
                          % Defect.values().length)];
          defects.merge(defect, 1L, Long::sum);
          value = spoiled(order, defect);
        } else {
          value = OrderCodec.standard().encode(order);
        }
        if (file != null) {
          file.write(value);
          file.write('\n');
        }
        if (producer != null) {
          pending.add(KafkaClients.record(cli.topic(), order.orderUid(), value));
          if (pending.size() >= BATCH
              || waitForRate(startNanos, i + 1, pending, producer, progress)) {
            send(producer, pending, progress);
          }
        } else {
          waitForRate(startNanos, i + 1, pending, null, progress);
          progress.advance(1);
        }
      }
      if (producer != null && !pending.isEmpty()) {
        send(producer, pending, progress);
      }
    } catch (IOException e) {
      throw new CliException("cannot write " + out + ": " + e.getMessage(), e);
    }
    progress.finish();
    printSummary(publish, defects, progress);
    return ExitCode.OK;
  }

  /**
   * Whether the {@code i}-th record is a bad one: exactly {@code floor(count * ratio)} of them,
   * spread evenly, so a run's mix is known in advance.
   */
  private boolean isBad(long i) {
    return Math.floor((i + 1) * invalidRatio + 1e-9) > Math.floor(i * invalidRatio + 1e-9);
  }

  private void checkOptions() {
    if (count < 0) {
      throw new ParameterException(spec.commandLine(), "--count must be >= 0");
    }
    if (rate < 0 || Double.isNaN(rate)) {
      throw new ParameterException(spec.commandLine(), "--rate must be >= 0");
    }
    if (!(invalidRatio >= 0 && invalidRatio <= 1)) {
      throw new ParameterException(spec.commandLine(), "--invalid-ratio must be 0..1");
    }
  }

  /**
   * Holds back until the {@code produced}-th order is due at {@code --rate}. When it is about to
   * wait, it first sends what is pending, so a slow rate still delivers each order on time.
   *
   * @return whether the caller should send the pending records now (it waited or will)
   */
  private boolean waitForRate(
      long startNanos,
      long produced,
      List<ProducerRecord<byte[], byte[]>> pending,
      KafkaProducer<byte[], byte[]> producer,
      Progress progress)
      throws InterruptedException {
    if (rate == 0) {
      return false;
    }
    long dueNanos = startNanos + (long) (produced / rate * 1e9);
    long waitNanos = dueNanos - System.nanoTime();
    if (waitNanos <= 0) {
      return false;
    }
    if (producer != null && !pending.isEmpty()) {
      send(producer, pending, progress);
      waitNanos = dueNanos - System.nanoTime();
    }
    if (waitNanos > 0) {
      TimeUnit.NANOSECONDS.sleep(waitNanos); // pacing the output, not synchronising
    }
    return false;
  }

  /** Sends the pending records and counts them as produced once Kafka acknowledged them all. */
  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      List<ProducerRecord<byte[], byte[]>> pending,
      Progress progress) {
    KafkaClients.sendAll(producer, pending);
    progress.advance(pending.size());
    pending.clear();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A bad copy of {@code order}, as a faulty producer might send it. */
  static byte[] spoiled(Order order, Defect defect) {
    byte[] json = OrderCodec.standard().encode(order);
    return switch (defect) {
      case BROKEN_EMAIL -> OrderCodec.standard().encode(withEmail(order, "not-an-e-mail"));
      case TRUNCATED_JSON -> Arrays.copyOf(json, json.length / 2);
      case MISSING_FIELD -> {
        try {
          ObjectNode tree = (ObjectNode) JSON.readTree(json);
          tree.remove("track_number");
          yield JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  private static Order withEmail(Order o, String email) {
    Delivery d = o.delivery();
    return o.withDelivery(
        new Delivery(d.name(), d.phone(), d.zip(), d.city(), d.address(), d.region(), email));
  }

  private void printSummary(boolean publish, Map<Defect, Long> defects, Progress progress) {
    PrintWriter w = spec.commandLine().getOut();
    long bad = defects.values().stream().mapToLong(Long::longValue).sum();
    String badText =
        bad == 0
            ? ""
            : " ("
                + bad
                + " bad: "
                + defects.entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey().label)
                    .collect(Collectors.joining(", "))
                + ")";
    double seconds = Math.max(progress.elapsedSeconds(), 1e-3);
    w.println(
        String.format(
            Locale.ROOT,
            "produced %,d orders%s in %.1f s (%,.0f/s)",
            count,
            badText,
            progress.elapsedSeconds(),
            count / seconds));
    if (publish) {
      w.println("published to topic " + cli.topic() + " on " + cli.kafkaServers());
    }
    if (out != null) {
      w.println("wrote " + count + " lines of NDJSON to " + out);
    }
    w.flush();
  }
}
