package dev.orderservice.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.zaxxer.hikari.HikariDataSource;
import dev.orderservice.cli.Tally.Outcome;
import dev.orderservice.domain.OrderDocument;
import dev.orderservice.domain.OrderService;
import dev.orderservice.ingest.RejectionStage;
import dev.orderservice.persistence.PostgresOrderStore;
import dev.orderservice.settings.SettingOptions;
import dev.orderservice.settings.Settings;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code order-cli replay}: drives orders through the pipeline again, in one of two ways.
 *
 * <ul>
 *   <li>{@code --from-dlq}: the dead-letter topic's records, once the cause of their rejection is
 *       fixed, are published again to the order topic for the running ingest to take, with their
 *       original key, value, timestamp and headers, less the {@code __connect.errors.*} ones. The
 *       dead-letter topic is left as it is, so replaying twice publishes twice; the ingest's
 *       idempotent store turns the second copy into duplicates.
 *   <li>{@code --from-offset} / {@code --from-timestamp}: a range of the order topic, read straight
 *       into the database through {@link OrderService}: what is stored already counts as a
 *       duplicate, so nothing is stored twice.
 * </ul>
 *
 * Both read every partition from the start position to the end offsets taken when the command
 * starts (records added later are left alone), without a consumer group: nothing is committed.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    modelTransformer = ReplayCommand.DeadLetterTopicOption.class,
    description = {
      "Re-drives orders through the pipeline: --from-dlq republishes dead-lettered records to the"
          + " order topic (--topic); --from-offset or --from-timestamp reads a range of the order"
          + " topic (--topic) straight into PostgreSQL (--db). Reads up to the end of each"
          + " partition as it is when the command starts.",
      "Exit code 0 when done (for a range: when every order was accepted), 2 when a range held"
          + " rejected orders, 1 on an operational error."
    })
final class ReplayCommand implements Callable<Integer> {

  private static final String ERROR_HEADERS = "__connect.errors.";
  private static final String STAGE_HEADER = ERROR_HEADERS + "stage";
  private static final String MESSAGE_HEADER = ERROR_HEADERS + "exception.message";
  private static final Duration POLL = Duration.ofMillis(200);

  @ParentCommand OrderCli cli;

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(
        names = "--from-dlq",
        required = true,
        description = "Republish the dead-letter topic's records to the order topic.")
    boolean fromDlq;

    @Option(
        names = "--from-offset",
        paramLabel = "N",
        required = true,
        description = "Read the order topic from offset N of every partition into the database.")
    Long fromOffset;

    @Option(
        names = "--from-timestamp",
        paramLabel = "ISO-8601",
        required = true,
        description =
            "Read the order topic from the first record at or after this time, e.g."
                + " 2026-01-31T12:00:00Z, into the database.")
    String fromTimestamp;
  }

  @Option(
      names = "--stage",
      paramLabel = "STAGE",
      split = ",",
      description =
          "Only dead letters rejected at these stages (--from-dlq): ${COMPLETION-CANDIDATES}."
              + " Default: all.")
  Set<RejectionStage> stages;

  @Option(
      names = "--dry-run",
      description = "Show what would be done: count and list, decode and validate; write nothing.")
  boolean dryRun;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "500",
      description =
          "Records per database transaction or per wait for Kafka. Default:" + " ${DEFAULT-VALUE}.")
  int batchSize;

  /** Where reading stops in each assigned partition: the end offsets when it started. */
  private Map<TopicPartition, Long> ends = Map.of();

  /** The --dlq-topic given, else the server's default for the topic. */
  private String deadLetterTopic() {
    return Settings.deadLetterTopic(SettingOptions.values(spec));
  }

  @Override
  public Integer call() {
    if (batchSize < 1) {
      throw new ParameterException(spec.commandLine(), "--batch-size must be >= 1");
    }
    if (stages != null && !source.fromDlq) {
      throw new ParameterException(spec.commandLine(), "--stage goes with --from-dlq only");
    }
    return source.fromDlq ? replayDeadLetters() : replayRange();
  }

  private int replayDeadLetters() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, long[]> byStage = new TreeMap<>(); // stage -> {replayed, skipped}
    List<ProducerRecord<byte[], byte[]>> pending = new ArrayList<>();
    String target = cli.topic();
    String dlqTopic = deadLetterTopic();
    Progress progress;
    try (KafkaConsumer<byte[], byte[]> consumer =
            KafkaClients.consumer(cli.kafkaServers(), cli.kafkaClients());
        KafkaProducer<byte[], byte[]> producer =
            dryRun ? null : KafkaClients.producer(cli.kafkaServers(), cli.kafkaClients())) {
      long total = assign(consumer, dlqTopic, Optional.empty());
      progress =
          Progress.ofItems(spec.commandLine().getErr(), cli.terminal(), "dead letters read", total);
      read(
          consumer,
          record -> {
            String stage = header(record, STAGE_HEADER).orElse("(no stage)");
            boolean chosen =
                stages == null || stages.stream().anyMatch(s -> s.name().equals(stage));
            byStage.computeIfAbsent(stage, s -> new long[2])[chosen ? 0 : 1]++;
            progress.advance(1);
            if (!chosen) {
              return;
            }
            if (dryRun) {
              out.println(
                  String.format(
                      Locale.ROOT,
                      "would republish %s-%d@%d  %s  %s",
                      record.topic(),
                      record.partition(),
                      record.offset(),
                      stage,
                      header(record, MESSAGE_HEADER).orElse("")));
              return;
            }
            pending.add(
                new ProducerRecord<>(
                    target,
                    null,
                    record.timestamp(),
                    record.key(),
                    record.value(),
                    withoutErrorHeaders(record)));
            if (pending.size() >= batchSize) {
              KafkaClients.sendAll(producer, pending);
              pending.clear();
            }
          });
      if (!pending.isEmpty()) {
        KafkaClients.sendAll(producer, pending);
      }
    }
    progress.finish();
    long replayed = byStage.values().stream().mapToLong(c -> c[0]).sum();
    out.println(
        String.format(
            Locale.ROOT,
            "%s %d of %d dead letters from %s to %s in %.1f s%s",
            dryRun ? "would republish" : "republished",
            replayed,
            progress.items(),
            dlqTopic,
            target,
            progress.elapsedSeconds(),
            dryRun ? " (dry run: nothing was sent)" : ""));
    byStage.forEach(
        (stage, c) ->
            out.println(
                String.format(
                    Locale.ROOT,
                    "  %-16s %d %s, %d skipped",
                    stage,
                    c[0],
                    dryRun ? "to republish" : "republished",
                    c[1])));
    out.flush();
    return ExitCode.OK;
  }

  private int replayRange() {
    Optional<Instant> since = Optional.ofNullable(source.fromTimestamp).map(this::instant);
    if (source.fromOffset != null && source.fromOffset < 0) {
      throw new ParameterException(spec.commandLine(), "--from-offset must be >= 0");
    }
    String topic = cli.topic();
    Tally tally = new Tally();
    Progress progress;
    try (KafkaConsumer<byte[], byte[]> consumer =
            KafkaClients.consumer(cli.kafkaServers(), cli.kafkaClients());
        HikariDataSource pool = dryRun ? null : Database.open(cli, true)) {
      long total =
          assign(
              consumer,
              topic,
              since.isPresent() ? since.map(Start::at) : Optional.of(Start.at(source.fromOffset)));
      progress =
          Progress.ofItems(spec.commandLine().getErr(), cli.terminal(), "records replayed", total);
      PrintWriter err = spec.commandLine().getErr();
      OrderFeed feed =
          new OrderFeed(
              dryRun
                  ? Destinations.checkOnly(cli.checker(err))
                  : Destinations.store(cli.service(new PostgresOrderStore(pool), err)),
              batchSize,
              tally,
              progress);
      read(
          consumer,
          record ->
              feed.document(
                  Tally.Origin.of(
                      record.topic() + "-" + record.partition() + "@" + record.offset()),
                  OrderDocument.of(record.value() == null ? new byte[0] : record.value())));
      feed.finish();
    }
    progress.finish();
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        String.format(
            Locale.ROOT,
            "%s %,d records of %s in %.1f s%s",
            dryRun ? "checked" : "replayed",
            tally.total(),
            topic,
            progress.elapsedSeconds(),
            dryRun ? " (dry run: nothing was stored)" : ""));
    tally.print(
        out,
        dryRun
            ? List.of(Outcome.VALID, Outcome.INVALID)
            : List.of(Outcome.INSERTED, Outcome.DUPLICATE, Outcome.CONFLICT, Outcome.INVALID));
    return tally.anyRejected() ? ExitCode.REJECTED : ExitCode.OK;
  }

  /** Where reading starts in each partition: an offset or a time. */
  private record Start(Long offset, Instant time) {
    static Start at(Long offset) {
      return new Start(offset, null);
    }

    static Start at(Instant time) {
      return new Start(null, time);
    }
  }

  /**
   * Assigns every partition of {@code topic}, positioned at {@code start} (empty: the beginning),
   * and remembers the current end offsets as where reading stops.
   *
   * @return how many records lie between, at most
   */
  private long assign(KafkaConsumer<byte[], byte[]> consumer, String topic, Optional<Start> start) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic);
    if (infos == null || infos.isEmpty()) {
      throw new CliException(
          "topic "
              + topic
              + " does not exist on "
              + cli.kafkaServers()
              + " (check --topic / --dlq-topic and --kafka)");
    }
    List<TopicPartition> partitions =
        infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    ends = new HashMap<>(consumer.endOffsets(partitions));
    Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
    Map<TopicPartition, OffsetAndTimestamp> byTime = new HashMap<>();
    if (start.isPresent() && start.get().time() != null) {
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(tp -> query.put(tp, start.get().time().toEpochMilli()));
      byTime.putAll(consumer.offsetsForTimes(query));
    }
    long total = 0;
    for (TopicPartition tp : partitions) {
      long from = beginnings.get(tp);
      if (start.isPresent() && start.get().offset() != null) {
        from = Math.max(from, start.get().offset());
      } else if (start.isPresent()) {
        OffsetAndTimestamp found = byTime.get(tp);
        from = found == null ? ends.get(tp) : found.offset();
      }
      from = Math.min(from, ends.get(tp));
      consumer.seek(tp, from);
      total += ends.get(tp) - from;
    }
    return total;
  }

  /** Polls until every assigned partition has reached its end offset. */
  private void read(
      KafkaConsumer<byte[], byte[]> consumer, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
    List<TopicPartition> open = new ArrayList<>(ends.keySet());
    long idleSince = System.nanoTime();
    while (true) {
      open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
      if (open.isEmpty()) {
        return;
      }
      var records = consumer.poll(POLL);
      if (records.isEmpty()) {
        if (System.nanoTime() - idleSince > KafkaClients.TIMEOUT.toNanos()) {
          throw new CliException(
              "no records from "
                  + open
                  + " for "
                  + KafkaClients.TIMEOUT.toSeconds()
                  + " s although the end is not reached"
                  + " (check that the broker is running)");
        }
        continue;
      }
      idleSince = System.nanoTime();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (record.offset() < ends.get(tp)) {
          sink.accept(record);
        }
      }
    }
  }

  private static RecordHeaders withoutErrorHeaders(ConsumerRecord<byte[], byte[]> record) {
    RecordHeaders headers = new RecordHeaders();
    for (Header header : record.headers()) {
      if (!header.key().startsWith(ERROR_HEADERS)) {
        headers.add(header);
      }
    }
    return headers;
  }

  private static Optional<String> header(ConsumerRecord<byte[], byte[]> record, String key) {
    Header header = record.headers().lastHeader(key);
    return header == null || header.value() == null
        ? Optional.empty()
        : Optional.of(new String(header.value(), UTF_8));
  }

  private Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new ParameterException(
          spec.commandLine(),
          "--from-timestamp: not an ISO-8601 time with an offset, e.g. 2026-01-31T12:00:00Z: "
              + text);
    }
  }

  /** {@code --dlq-topic}: the server's dead-letter topic setting, for {@code --from-dlq}. */
  static final class DeadLetterTopicOption implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec command) {
      command.addOption(SettingOptions.option(Settings.KAFKA_DLQ_TOPIC, "--dlq-topic").build());
      return command;
    }
  }
}
