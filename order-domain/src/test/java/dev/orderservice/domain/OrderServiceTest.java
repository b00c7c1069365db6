package dev.orderservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

@ExtendWith(MockitoExtension.class)
class OrderServiceTest {

  @Mock OrderStore store;
  @Mock OrderCache cache;

  private final OrderCodec codec = OrderCodec.standard();

  @Test
  void aValidOrderIsStoredAndThenCached() {
    Order order = SampleOrder.order();
    when(store.saveAll(anyList())).thenReturn(List.of(inserted(order)));

    AcceptResult result = service().accept(order);

    assertThat(result)
        .isEqualTo(new AcceptResult(order.orderUid(), AcceptResult.Status.INSERTED, List.of()));
    ArgumentCaptor<byte[]> cached = ArgumentCaptor.forClass(byte[].class);
    verify(cache).put(org.mockito.ArgumentMatchers.eq(order.orderUid()), cached.capture());
    assertThat(cached.getValue()).isEqualTo(codec.encode(order));
  }

  @Test
  void anInvalidOrderNeverReachesTheStoreNorTheCache() {
    Order invalid = OrderCopies.withUid(SampleOrder.order(), "not a uid");

    AcceptResult result = service().accept(invalid);

    assertThat(result.status()).isEqualTo(AcceptResult.Status.INVALID);
    assertThat(result.violations())
        .containsExactly(new Violation("order_uid", "must be 1..64 characters of [A-Za-z0-9_-]"));
    verifyNoInteractions(store, cache);
  }

  @Test
  void aBatchIsStoredWithOneCallAndOnlyInsertedOrdersAreCached() {
    RandomOrders random = new RandomOrders(7);
    Order first = random.next();
    Order invalid = OrderCopies.withUid(random.next(), "");
    Order duplicate = random.next();
    Order conflicting = random.next();
    when(store.saveAll(anyList()))
        .thenReturn(
            List.of(
                inserted(first),
                new SaveResult(duplicate.orderUid(), SaveOutcome.DUPLICATE),
                new SaveResult(conflicting.orderUid(), SaveOutcome.CONFLICT)));

    List<AcceptResult> results =
        service().acceptAll(List.of(first, invalid, duplicate, conflicting));

    assertThat(results)
        .extracting(AcceptResult::status)
        .containsExactly(
            AcceptResult.Status.INSERTED, AcceptResult.Status.INVALID,
            AcceptResult.Status.DUPLICATE, AcceptResult.Status.CONFLICT);
    @SuppressWarnings("unchecked")
    ArgumentCaptor<List<EncodedOrder>> stored = ArgumentCaptor.forClass(List.class);
    verify(store, times(1)).saveAll(stored.capture());
    assertThat(stored.getValue())
        .extracting(EncodedOrder::orderUid)
        .containsExactly(first.orderUid(), duplicate.orderUid(), conflicting.orderUid());
    verify(cache).put(first.orderUid(), stored.getValue().get(0).json());
    // What is stored under a duplicate's uid may be its erased document: a lookup caches that.
    verify(cache, never()).put(org.mockito.ArgumentMatchers.eq(duplicate.orderUid()), any());
    verify(cache, never()).put(org.mockito.ArgumentMatchers.eq(conflicting.orderUid()), any());
  }

  @Test
  void aStoreFailureCachesNothing() {
    when(store.saveAll(anyList())).thenThrow(new OrderStoreException("down", true, null));

    assertThatThrownBy(() -> service().accept(SampleOrder.order()))
        .isInstanceOf(OrderStoreException.class);
    verifyNoInteractions(cache);
  }

  @Test
  void rawDocumentsGoThroughOneDecodePathAndAnUnreadableOneNeverReachesTheStore() {
    Order order = SampleOrder.order();
    when(store.saveAll(anyList())).thenReturn(List.of(inserted(order)));
    String input =
        "["
            + new String(codec.encode(order), java.nio.charset.StandardCharsets.UTF_8)
            + ",\n {\"order_uid\": \"x1\", \"sm_id\": \"99\"}]";
    List<OrderDocument> documents =
        OrderDocuments.read(input.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1 << 20);

    List<AcceptResult> results = service().acceptDocuments(documents);

    assertThat(results)
        .extracting(AcceptResult::status)
        .containsExactly(AcceptResult.Status.INSERTED, AcceptResult.Status.UNREADABLE);
    assertThat(results.get(1).orderUid()).as("told when the document has it").isEqualTo("x1");
    assertThat(results.get(1).describe())
        .isEqualTo("line 2, column 31: sm_id: expected an integer");
    ArgumentCaptor<List<EncodedOrder>> saved = ArgumentCaptor.forClass(List.class);
    verify(store).saveAll(saved.capture());
    assertThat(saved.getValue())
        .extracting(EncodedOrder::orderUid)
        .containsExactly(order.orderUid());
  }

  @Test
  void aLenientServiceStoresAnOrderWithoutItsUnknownFieldsAndReportsEachOne() {
    Order order = SampleOrder.order();
    when(store.saveAll(anyList())).thenReturn(List.of(inserted(order)));
    List<String> ignored = new java.util.ArrayList<>();
    OrderService lenient =
        new OrderService(
            store,
            cache,
            new OrderValidator(),
            OrderCodec.builder().ignoreUnknownFields(true).build(),
            ignored::add);
    String json =
        new String(codec.encode(order), java.nio.charset.StandardCharsets.UTF_8)
            .replaceFirst("\\{", "{\"gift_note\":\"x\",");

    List<AcceptResult> results =
        lenient.acceptDocuments(
            List.of(OrderDocument.of(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))));

    assertThat(results)
        .extracting(AcceptResult::status)
        .containsExactly(AcceptResult.Status.INSERTED);
    assertThat(ignored).containsExactly("gift_note");
    ArgumentCaptor<byte[]> cached = ArgumentCaptor.forClass(byte[].class);
    verify(cache).put(org.mockito.ArgumentMatchers.eq(order.orderUid()), cached.capture());
    assertThat(cached.getValue()).as("stored without the field").isEqualTo(codec.encode(order));
    assertThat(
            service()
                .acceptDocuments(
                    List.of(
                        OrderDocument.of(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)))))
        .extracting(AcceptResult::status)
        .as("a strict service rejects it")
        .containsExactly(AcceptResult.Status.UNREADABLE);
  }

  @Test
  void aServiceWithoutACacheStoresWhatItIsGiven() {
    Order order = SampleOrder.order();
    when(store.saveAll(anyList())).thenReturn(List.of(inserted(order)));

    AcceptResult result = OrderService.withoutCache(store, new OrderChecker()).accept(order);

    assertThat(result.status()).isEqualTo(AcceptResult.Status.INSERTED);
    verify(store).saveAll(anyList());
    verifyNoInteractions(cache);
  }

  private OrderService service() {
    return new OrderService(store, cache);
  }

  private static SaveResult inserted(Order order) {
    return new SaveResult(order.orderUid(), SaveOutcome.INSERTED);
  }
}
