package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An access export of a customer with 10,000 orders of about 6 KB each (some 60 MB of JSON) streams
 * in constant memory: while it writes, the heap holds no more than a few megabytes beyond what it
 * held before, where reading every row first (pgjdbc without a cursor) would hold all 60 MB.
 */
class CustomerExportMemoryTest {

  private static final int ORDERS = 10_000;
  private static final long MAX_GROWTH_BYTES = 16L * 1024 * 1024;
  private static final String CUSTOMER = "export-memory-customer";

  private static TestSchema schema;
  private static long exportedBytes;

  @BeforeAll
  static void storeTenThousandLargeOrders() {
    schema = TestSchema.migrated("export_memory");
    PostgresOrderStore store = new PostgresOrderStore(schema.dataSource());
    RandomOrders random = new RandomOrders(10_000);
    OrderCodec codec = OrderCodec.standard();
    String longName = "x".repeat(2_000);
    List<EncodedOrder> batch = new ArrayList<>();
    for (int i = 0; i < ORDERS; i++) {
      Order order = random.next().withCustomerId(CUSTOMER);
      List<Item> items = new ArrayList<>();
      Item item = order.items().get(0);
      for (int k = 0; k < 3; k++) {
        items.add(
            new Item(
                item.chrtId(),
                item.trackNumber(),
                item.price(),
                item.rid(),
                longName + k,
                item.sale(),
                item.size(),
                item.totalPrice(),
                item.nmId(),
                item.brand(),
                item.status()));
      }
      EncodedOrder encoded = codec.encoded(order.withItems(items));
      exportedBytes += encoded.json().length + 1;
      batch.add(encoded);
      if (batch.size() == 1_000) {
        store.saveAll(batch);
        batch.clear();
      }
    }
  }

  @AfterAll
  static void drop() {
    if (schema != null) {
      schema.close();
    }
  }

  @Test
  void anExportOfTenThousandOrdersHoldsAFewMegabytesAtMost() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(memory);
    MeasuringSink sink = new MeasuringSink(memory);

    long written = new CustomerExport(schema.dataSource()).export(CUSTOMER, sink, "test");

    assertThat(written).isEqualTo(ORDERS);
    assertThat(sink.bytes).isEqualTo(exportedBytes);
    assertThat(exportedBytes)
        .as("what reading every row first would hold")
        .isGreaterThan(4 * MAX_GROWTH_BYTES);
    assertThat(sink.peakUsed - before)
        .as("heap growth while streaming, measured at lines 2,000, 5,000 and 9,000")
        .isLessThan(MAX_GROWTH_BYTES);
  }

  private static long usedAfterGc(MemoryMXBean memory) {
    // A full collection (G1 and Serial both do one on request): what is left is what is held.
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** Counts bytes and lines; at a few lines, measures the heap the export holds. */
  private static final class MeasuringSink extends OutputStream {
    private final MemoryMXBean memory;
    private long bytes;
    private long lines;
    private long peakUsed;

    MeasuringSink(MemoryMXBean memory) {
      this.memory = memory;
    }

    @Override
    public void write(int b) {
      bytes++;
      if (b == '\n') {
        lines++;
        if (lines == 2_000 || lines == 5_000 || lines == 9_000) {
          peakUsed = Math.max(peakUsed, usedAfterGc(memory));
        }
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }
}
