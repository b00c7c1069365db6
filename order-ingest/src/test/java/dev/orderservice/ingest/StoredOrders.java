package dev.orderservice.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.OrderStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a store holds of a {@link MixedStream}'s valid orders, told in words where it is wrong. */
final class StoredOrders {

  private StoredOrders() {}

  /**
   * One line for each valid order of {@code stream} that {@code store} does not hold exactly as
   * produced: missing, holding the content of its later conflicting record (which then was stored
   * before the original), or other content. Empty if all are right.
   */
  static List<String> wrong(MixedStream stream, OrderStore store) {
    Map<String, byte[]> conflicting = new HashMap<>();
    stream.badRecords().stream()
        .filter(b -> b.defect() == MixedStream.Defect.CONFLICT)
        .forEach(b -> conflicting.put(new String(b.record().key(), UTF_8), b.record().value()));
    List<String> wrong = new ArrayList<>();
    stream
        .validOrders()
        .forEach(
            (uid, order) -> {
              Optional<byte[]> held = store.findJson(uid);
              if (held.isEmpty()) {
                wrong.add(uid + ": missing");
              } else if (!Arrays.equals(held.get(), OrderCodec.standard().encode(order))) {
                wrong.add(
                    uid
                        + (conflicting.containsKey(uid)
                                && Arrays.equals(held.get(), conflicting.get(uid))
                            ? ": holds its later CONFLICT record, stored before the original"
                            : ": holds other content"));
              }
            });
    return wrong;
  }
}
