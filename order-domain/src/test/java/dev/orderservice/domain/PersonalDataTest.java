package dev.orderservice.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.InputFormat;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What an erasure leaves of an order, and the customer pseudonyms. */
class PersonalDataTest {

  private static final byte[] KEY = new byte[PersonalData.KEY_BYTES];
  private static final OrderCodec CODEC = OrderCodec.standard();

  static {
    Arrays.fill(KEY, (byte) 7);
  }

  private final PersonalData personal = new PersonalData(KEY);

  @Test
  void anErasedOrderKeepsEveryFieldButThePersonalOnesAndIsStillAValidOrder() {
    Order order = SampleOrder.order();

    Order erased = personal.erase(order);

    assertThat(erased.delivery())
        .isEqualTo(
            new Delivery(
                "[erased]",
                "[erased]",
                "[erased]",
                "[erased]",
                "[erased]",
                "[erased]",
                "erased@erased.invalid"));
    assertThat(erased.customerId()).matches("erased-[0-9a-f]{32}");
    assertThat(erased.withDelivery(order.delivery()).withCustomerId(order.customerId()))
        .isEqualTo(order);
    assertThat(PersonalData.isErased(erased)).isTrue();
    assertThat(PersonalData.isErased(order)).isFalse();
    assertThat(new OrderValidator().validate(erased)).isEmpty();
    assertThat(
            OrderSchemaResource.schema()
                .validate(
                    new String(CODEC.encode(erased), java.nio.charset.StandardCharsets.UTF_8),
                    InputFormat.JSON))
        .as("the JSON Schema takes an erased order")
        .isEmpty();
  }

  @Test
  void aCustomerHasOnePseudonymPerKeyAndAPseudonymIsItsOwn() {
    String pseudonym = personal.pseudonym("test");

    assertThat(personal.pseudonym("test")).isEqualTo(pseudonym);
    assertThat(personal.pseudonym("test2")).isNotEqualTo(pseudonym);
    byte[] other = KEY.clone();
    other[0] = 8;
    assertThat(new PersonalData(other).pseudonym("test")).isNotEqualTo(pseudonym);
    assertThat(PersonalData.isPseudonym(pseudonym)).isTrue();
    assertThat(personal.pseudonym(pseudonym)).isEqualTo(pseudonym);
    assertThat(PersonalData.isPseudonym("erased-XYZ")).isFalse();
    assertThat(personal.erase(personal.erase(SampleOrder.order())))
        .isEqualTo(personal.erase(SampleOrder.order()));
  }

  @Test
  void aKeyIsThirtyTwoBytes() {
    assertThatThrownBy(() -> new PersonalData(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
