package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderCheckerTest {

  private final OrderCodec codec = OrderCodec.standard();

  @Test
  void documentsAreCheckedWithoutAStoreTheValidOnesEncodedTheOthersWithTheirResult() {
    Order order = SampleOrder.order();
    String input =
        "["
            + new String(codec.encode(order), UTF_8)
            + ",\n {\"order_uid\": \"x1\", \"sm_id\": \"99\"},\n"
            + new String(codec.encode(OrderCopies.withUid(order, "not a uid")), UTF_8)
            + "]";

    ValidatedOrders checked =
        new OrderChecker().check(OrderDocuments.read(input.getBytes(UTF_8), 1 << 20));

    assertThat(checked.size()).isEqualTo(3);
    assertThat(checked.validCount()).isEqualTo(1);
    assertThat(checked.validAt(0).orElseThrow().json()).isEqualTo(codec.encode(order));
    assertThat(checked.rejectedAt(1).orElseThrow().describe())
        .isEqualTo("line 2, column 31: sm_id: expected an integer");
    assertThat(checked.rejectedAt(2).orElseThrow().status()).isEqualTo(AcceptResult.Status.INVALID);
  }

  @Test
  void aLenientCheckerReportsEachFieldItSkipped() {
    List<String> ignored = new ArrayList<>();
    OrderChecker lenient =
        new OrderChecker(
            new OrderValidator(),
            OrderCodec.builder().ignoreUnknownFields(true).build(),
            ignored::add);
    String json =
        new String(codec.encode(SampleOrder.order()), UTF_8)
            .replaceFirst("\\{", "{\"gift_note\":\"x\",");

    ValidatedOrders checked = lenient.check(List.of(OrderDocument.of(json.getBytes(UTF_8))));

    assertThat(checked.validCount()).isEqualTo(1);
    assertThat(ignored).containsExactly("gift_note");
  }

  @Test
  void ordersAreValidatedAndTheValidOnesEncoded() {
    Order order = SampleOrder.order();

    ValidatedOrders checked =
        new OrderChecker().validate(List.of(order, OrderCopies.withUid(order, "")));

    assertThat(checked.validAt(0).orElseThrow().orderUid()).isEqualTo(order.orderUid());
    assertThat(checked.rejectedAt(1).orElseThrow().status()).isEqualTo(AcceptResult.Status.INVALID);
  }
}
