package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.DELIVERY;
import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;
import static dev.orderservice.persistence.jooq.Tables.PAYMENT;

import dev.orderservice.persistence.jooq.tables.records.DeliveryRecord;
import dev.orderservice.persistence.jooq.tables.records.ItemsRecord;
import dev.orderservice.persistence.jooq.tables.records.OrdersRecord;
import dev.orderservice.persistence.jooq.tables.records.PaymentRecord;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Record;
import org.jooq.TableField;

/**
 * The columns that hold each part of an order, in the order of the record components. The one place
 * both the writer ({@link BatchSave}) and the reader ({@link OrderRows}) take them from, so the two
 * cannot disagree about which column holds which value.
 */
final class OrderColumns {

  /** The header of an order, its uid first. */
  static final List<TableField<OrdersRecord, ?>> HEADER =
      List.of(
          ORDERS.ORDER_UID,
          ORDERS.TRACK_NUMBER,
          ORDERS.ENTRY,
          ORDERS.LOCALE,
          ORDERS.INTERNAL_SIGNATURE,
          ORDERS.CUSTOMER_ID,
          ORDERS.DELIVERY_SERVICE,
          ORDERS.SHARDKEY,
          ORDERS.SM_ID,
          ORDERS.DATE_CREATED,
          ORDERS.OOF_SHARD);

  /** The values of a delivery, without the uid that links it to its order. */
  static final List<TableField<DeliveryRecord, ?>> DELIVERY_VALUES =
      List.of(
          DELIVERY.NAME,
          DELIVERY.PHONE,
          DELIVERY.ZIP,
          DELIVERY.CITY,
          DELIVERY.ADDRESS,
          DELIVERY.REGION,
          DELIVERY.EMAIL);

  /** The values of a payment, without the uid that links it to its order. */
  static final List<TableField<PaymentRecord, ?>> PAYMENT_VALUES =
      List.of(
          PAYMENT.TRANSACTION,
          PAYMENT.REQUEST_ID,
          PAYMENT.CURRENCY,
          PAYMENT.PROVIDER,
          PAYMENT.AMOUNT,
          PAYMENT.PAYMENT_DT,
          PAYMENT.BANK,
          PAYMENT.DELIVERY_COST,
          PAYMENT.GOODS_TOTAL,
          PAYMENT.CUSTOM_FEE);

  /** An item's position in its order, then its values, without the uid. */
  static final List<TableField<ItemsRecord, ?>> ITEM_VALUES =
      List.of(
          ITEMS.POSITION,
          ITEMS.CHRT_ID,
          ITEMS.TRACK_NUMBER,
          ITEMS.PRICE,
          ITEMS.RID,
          ITEMS.NAME,
          ITEMS.SALE,
          ITEMS.SIZE,
          ITEMS.TOTAL_PRICE,
          ITEMS.NM_ID,
          ITEMS.BRAND,
          ITEMS.STATUS);

  private OrderColumns() {}

  /** The lists one after the other: a statement's full column list. */
  @SafeVarargs
  static <R extends Record> List<TableField<R, ?>> concat(List<TableField<R, ?>>... lists) {
    List<TableField<R, ?>> all = new ArrayList<>();
    for (List<TableField<R, ?>> list : lists) {
      all.addAll(list);
    }
    return List.copyOf(all);
  }
}
