/**
 * Kafka ingest: {@link dev.orderservice.ingest.OrderIngest} reads order documents from a topic and
 * hands them to {@link dev.orderservice.domain.OrderService}.
 *
 * <h2>Lifecycle</h2>
 *
 * <p>Build with {@code OrderIngest.builder()} (bootstrap servers, the {@code OrderService}, and
 * optionally topic, group, dead-letter topic, batch, store connections, store executor and backoff
 * settings). Run it on a thread you own, e.g. {@code executor.submit(ingest)}; {@code run()} blocks
 * while it consumes. It stores on the store executor you give it, which must run {@code
 * storeConnections} tasks at once and which it never shuts down; without one, on {@code
 * storeConnections} daemon threads it starts when {@code run()} starts and stops when it returns.
 * Call {@code close()} from any thread to stop it: the consumer is woken, the batch in hand
 * finishes its current step or is abandoned (never committed past), committed work stays committed,
 * and the Kafka clients are closed, within the close timeout. An instance runs once.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>At least once, stored once.</b> For each batch: every record is decoded and validated;
 *       the valid orders are stored and cached, split by a hash of their uid into up to {@code
 *       storeConnections} groups of at least 100 orders stored at once, each with one {@code
 *       OrderService.store} call (one database transaction); rejected records are published to the
 *       dead-letter topic and acknowledged; only then are the batch's offsets recorded and
 *       committed. A crash anywhere in between redelivers what was not committed, and the
 *       idempotent store reports what was already there as DUPLICATE.
 *   <li><b>Pipelined, and quick to store what arrives.</b> A batch is stored on a store thread (the
 *       store executor's, or the ingest's own) while the ingest thread polls, decodes and validates
 *       the next one, which takes the records that arrive until its store can begin (polled for
 *       while it holds fewer than 200); the ingest thread looks at the store every 2 ms and starts
 *       the next store as soon as one ends, while the stored batch's rejects are published. At most
 *       two batches are in hand. Offsets are recorded and committed for the settled batches
 *       together ({@code SettledOffsets}): at most 100 ms after the oldest settled, at once when
 *       nothing else is in hand, and before partitions go or the ingest closes; commits stay in
 *       order.
 *   <li><b>Rejected records are never retried.</b> Undecodable bytes ({@code VALUE_CONVERTER}), an
 *       invalid order ({@code TRANSFORMATION}) and a conflicting one (same uid, other content:
 *       {@code TASK_PUT}) go to the dead-letter topic with their original key, value, headers and
 *       timestamp plus Kafka Connect's {@code __connect.errors.*} headers (topic, partition,
 *       offset, stage, exception class name and message). The message lists violations by path,
 *       never field values.
 *   <li><b>Transient failures are retried, not rejected.</b> An unreachable database, a broker that
 *       does not acknowledge, a failed commit: the batch is kept, the partitions are paused while
 *       polling goes on (so the consumer stays in its group), and the failed step is tried again
 *       after a capped exponential backoff with jitter. Nothing is committed and nothing is
 *       dead-lettered meanwhile; consumption resumes by itself when the fault clears.
 *   <li><b>Kafka refusing the clients is an operator's problem, not a crash.</b> Wrong credentials,
 *       a TLS handshake that fails, a missing ACL ({@code AuthenticationException}, {@code
 *       SslAuthenticationException}, {@code AuthorizationException}): the batch in hand stays as it
 *       is, the {@link dev.orderservice.ingest.IngestListener} hears a {@link
 *       dev.orderservice.ingest.KafkaRefusal} (a sentence with Kafka's reason, never a secret), and
 *       the ingest tries again after a back-off until Kafka accepts it (the group is joined or a
 *       batch is committed), which the listener hears once.
 *   <li><b>Rebalances.</b> Revoked partitions get the settled batches and the batch in hand
 *       committed if it is done, abandoned otherwise; newly assigned partitions start from their
 *       committed offsets. Several instances in one group share the partitions; each order is
 *       stored once.
 *   <li><b>The database knows how far it has stored</b> (with {@code positions(...)} given to the
 *       builder, e.g. {@code PostgresIngestPositions}; the server always gives it). Once a batch is
 *       settled (every transaction that stored its orders committed, its dead letters acknowledged)
 *       and before its offsets are committed to Kafka, the next offset of each of its partitions is
 *       recorded in the database, in one small transaction of its own. Not in the orders'
 *       transaction, because a batch has none: it is stored by several transactions at once, one
 *       per hash group. A later transaction is as safe: a standby, or a restore, that has the
 *       positions' transaction has every transaction committed before it too (the WAL is replayed
 *       in commit order), so the recorded position is never ahead of the stored orders. They are
 *       recorded only if the database still holds the positions recorded before (compare-and-set in
 *       that transaction), so a batch stored on a database that lost transactions cannot hide the
 *       gap behind newer positions. A failure to record is a store failure: the batch is kept, the
 *       partitions paused, the step retried, nothing committed to Kafka meanwhile; a database found
 *       behind has the partitions read again (below).
 *   <li><b>Where it starts.</b> When partitions are assigned, each one with a position in the
 *       database starts from it: if the group's committed offset is further (a failover to a
 *       standby that missed commits, a restore from a backup), the difference is read again, the
 *       orders the database lacks stored and the rest found {@code DUPLICATE}, with one warning per
 *       partition saying how many records it goes back; if the group has no committed offset
 *       (expired, deleted) or an earlier one, it goes on from the database's instead of reading the
 *       topic again or skipping it. A group with neither (renamed) starts from the furthest
 *       position any group recorded for the partition: the database has stored up to there. If the
 *       topic no longer holds the database's position (retention deleted the records before they
 *       were stored), an error says how many records can no longer be read, they are counted
 *       ({@code order_ingest_records_unreadable_total}), and it goes on from the earliest record
 *       the topic holds. Without a position, the group's committed offset decides, as without
 *       positions at all. So an operator's reset of the group's offsets does not move the ingest
 *       while the database has positions; {@code order-cli replay} reads a topic again.
 *   <li><b>A database that loses transactions under a running ingest</b> (a standby promoted while
 *       the ingest runs, on a multi-host DSN) is found by reading the positions again every {@code
 *       positionCheckInterval} (30 s) and before the step after a transient failure (the database
 *       answering again): where the database is behind what this ingest recorded there, the batches
 *       in hand are dropped (none is half settled) and the partitions read again from the
 *       database's positions, with a warning saying how far ({@code
 *       order_ingest_records_read_again_total} counts the records, here and at assignment).
 *   <li><b>Order.</b> Orders with the same uid are stored in the order of their partition: the
 *       first wins, an identical repeat is a DUPLICATE, a different one a CONFLICT (they fall in
 *       the same group, and a batch is stored only after the one before it).
 * </ul>
 *
 * <h2>Kafka client settings</h2>
 *
 * <p>The caller's consumer and producer properties (security, SASL, TLS, config providers, tuning)
 * reach the clients as given; what the guarantees rest on is set by the ingest whatever they say,
 * and {@link dev.orderservice.ingest.OrderIngest#forcedSettings} lists it with the reasons: {@code
 * enable.auto.commit=false}, {@code isolation.level=read_committed}, {@code max.poll.records} (the
 * batch size), byte-array (de)serializers, and on the dead-letter producer {@code acks=all} and
 * {@code enable.idempotence=true}.
 *
 * <h2>Observability</h2>
 *
 * <p>With a Micrometer {@code MeterRegistry} given to the builder, the ingest registers its meters
 * there while it runs: records consumed, orders by outcome (inserted, duplicate, conflict),
 * rejected by stage, dead letters, retries, rebalances (a clean close not counted), whether it is
 * paused for a retry, batch size and poll-to-commit time as histograms, all tagged with topic and
 * group; and the Kafka consumer's and producer's own metrics through Micrometer's {@code
 * KafkaClientMetrics} (consumer lag, fetch rate, request latency). Without one nothing is
 * registered anywhere. {@code metrics()} returns the same counters as a snapshot.
 *
 * <p>Logs: one line per batch at debug, one per rejected record at info with topic-partition@offset
 * and the reason, the MDC holding {@code topic}, {@code partition} and {@code offset}; payloads are
 * never logged.
 *
 * <h2>Traces</h2>
 *
 * <p>With an {@code OpenTelemetry} given to the builder ({@code openTelemetry(...)}; the library
 * needs {@code opentelemetry-api} only, and never touches {@code GlobalOpenTelemetry}), the ingest
 * makes these spans:
 *
 * <ul>
 *   <li>{@code process orders} (kind {@code CONSUMER}), one per batch, from its poll until its
 *       offsets are recorded and their commit sent: a root span, with the messaging attributes
 *       {@code messaging.system=kafka}, {@code messaging.destination.name} (the topic), {@code
 *       messaging.consumer.group.name}, {@code messaging.operation.type=process}, {@code
 *       messaging.operation.name=process}, {@code messaging.batch.message_count}, and {@code
 *       messaging.destination.partition.id} when its records come from one partition, else {@code
 *       order.partition.ids} (a string array); and the outcome counts {@code order.inserted},
 *       {@code order.duplicate}, {@code order.conflict} and {@code order.rejected} (every dead
 *       letter: unreadable, invalid, conflicting or refused by the database). It is <b>linked</b>
 *       to the producer span of each record that carries a W3C {@code traceparent} header (what
 *       OpenTelemetry's Kafka instrumentation adds), up to 128 links a batch (the SDK's default
 *       limit of links per span); a batch is not the child of any one record, as it has many. A
 *       transient failure adds an event {@code retry} with {@code order.retry.attempt} (the attempt
 *       that follows the wait; the first try is 1), {@code order.retry.wait_ms} and {@code
 *       exception.type}, each time it is retried (a database or dead-letter broker outage, Kafka
 *       refusing the clients). A batch dropped before its commit (partitions moved, the database
 *       behind, the ingest stopped) ends with an event {@code abandoned}: its records are read
 *       again, in another batch span. A failure that ends the ingest marks it {@code ERROR}.
 *   <li>{@code check orders}, a child: decoding and validating the batch's records ({@code
 *       order.count}), with {@code order.rejected}; a batch that grows while the one before it is
 *       stored has one for each part.
 *   <li>{@code store orders}, a child, one per store transaction: a batch split into hash groups
 *       stored at once on several connections has one per group, each on its store thread, with
 *       {@code order.count} and its outcome counts; a retry after a transient failure adds one per
 *       group stored again, and a failed one is marked {@code ERROR} with {@code exception.type}.
 *   <li>{@code publish dead letters}, a child, when the batch has rejects: publishing them and
 *       waiting for the broker's acknowledgements ({@code messaging.destination.name} is the
 *       dead-letter topic, {@code messaging.batch.message_count} the letters). Dead letters keep
 *       their record's headers, so its {@code traceparent} too.
 *   <li>{@code commit offsets}, one per commit: offsets are recorded and committed for several
 *       settled batches together, so it is a child of the oldest of them and linked to the others
 *       ({@code order.batch.count}), from recording the positions in the database until the broker
 *       answers the commit. When the positions cannot be recorded it is marked {@code ERROR}, and
 *       its batches end {@code abandoned}: their records are read again.
 * </ul>
 *
 * <p>A span's failure is described by the exception's class only ({@code exception.type}), never
 * its message, which may quote an order's value. While a span is current on the ingest thread or a
 * store thread, the MDC holds its ids, {@code trace_id} (32 hex digits) and {@code span_id} (16),
 * so log lines made meanwhile (a rejected record, a retry, the batch's debug line, the store's own)
 * carry them; they are removed after. Without an {@code OpenTelemetry}, or with the no-op one, no
 * span is made, no record header is read and nothing is put in the MDC; for a batch the sampler
 * drops, no record header is read either.
 */
package dev.orderservice.ingest;
