package dev.orderservice.ingest;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.OrderStore;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.SaveResult;
import dev.orderservice.domain.TraceLog;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.MDC;

/**
 * A store that can be made unreachable on demand: while down, {@link #saveAll} fails at once with a
 * transient {@link OrderStoreException}, as the real store does when the database is away. Reads go
 * to the real store. It also keeps the size of every batch it stored, the name of the thread that
 * stored it, and the trace id in that thread's MDC at each call.
 */
final class SwitchableStore implements OrderStore {

  private final OrderStore store;
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private final List<String> storingThreads = new CopyOnWriteArrayList<>();
  private final List<String> storingTraceIds = new CopyOnWriteArrayList<>();
  private volatile boolean down;

  SwitchableStore(OrderStore store) {
    this.store = store;
  }

  void down() {
    down = true;
  }

  void up() {
    down = false;
  }

  /** The size of each batch stored so far, in the order they were stored. */
  List<Integer> batchSizes() {
    return List.copyOf(batchSizes);
  }

  /** The name of the thread that stored each batch so far, in the order they were stored. */
  List<String> storingThreads() {
    return List.copyOf(storingThreads);
  }

  /**
   * The trace id in the storing thread's MDC ({@code trace_id}) at each store call so far, stored
   * or not; empty where there was none.
   */
  List<String> storingTraceIds() {
    return List.copyOf(storingTraceIds);
  }

  @Override
  public List<SaveResult> saveAll(List<EncodedOrder> batch) {
    storingTraceIds.add(Objects.requireNonNullElse(MDC.get(TraceLog.TRACE_ID), ""));
    if (down) {
      throw new OrderStoreException(
          "could not save a batch: the database is down (test)", true, null);
    }
    List<SaveResult> results = store.saveAll(batch);
    batchSizes.add(batch.size());
    storingThreads.add(Thread.currentThread().getName());
    return results;
  }

  @Override
  public Optional<byte[]> findJson(String orderUid) {
    return store.findJson(orderUid);
  }
}
