package dev.orderservice.persistence;

import static dev.orderservice.persistence.jooq.Tables.DELIVERY;
import static dev.orderservice.persistence.jooq.Tables.ITEMS;
import static dev.orderservice.persistence.jooq.Tables.ORDERS;
import static dev.orderservice.persistence.jooq.Tables.PAYMENT;

import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Item;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderStoreException;
import dev.orderservice.domain.Payment;
import dev.orderservice.domain.SaveOutcome;
import dev.orderservice.domain.SaveResult;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.TableField;
import org.jooq.impl.DSL;

/**
 * One call of {@link PostgresOrderStore#saveAll}: classifies the batch and writes the new orders in
 * a constant number of statements, whatever the batch size.
 *
 * <ol>
 *   <li>insert the headers of the batch's distinct uids, skipping stored ones ({@code ON CONFLICT
 *       DO NOTHING RETURNING order_uid});
 *   <li>only if some were skipped: read the stored content hashes of those uids;
 *   <li>insert delivery, payment and items of the inserted orders, one statement each.
 * </ol>
 *
 * <p>Each statement sends one array per column and unnests it on the server, so a batch of any size
 * is a handful of round trips with a fixed number of bind values (see {@link ArrayParams}). Runs
 * inside the caller's transaction. Not thread safe; one instance per call.
 */
final class BatchSave {

  private final List<EncodedOrder> batch;
  private final byte[][] hashes;

  /** The first occurrence of each uid: the one that may be written. */
  private final Map<String, Integer> firstIndexByUid;

  BatchSave(List<EncodedOrder> batch) {
    this.batch = batch;
    this.hashes = new byte[batch.size()][];
    this.firstIndexByUid = new LinkedHashMap<>();
    MessageDigest sha256 = sha256();
    for (int i = 0; i < batch.size(); i++) {
      EncodedOrder order = batch.get(i);
      requireParts(order.order());
      hashes[i] = sha256.digest(order.json());
      firstIndexByUid.putIfAbsent(order.orderUid(), i);
    }
  }

  /** Writes what is new and returns one result per input order, in input order. */
  List<SaveResult> run(DSLContext tx) {
    List<Order> candidates = new ArrayList<>(firstIndexByUid.size());
    List<byte[]> candidateHashes = new ArrayList<>(firstIndexByUid.size());
    for (int i : firstIndexByUid.values()) {
      candidates.add(batch.get(i).order());
      candidateHashes.add(hashes[i]);
    }
    Set<String> inserted = insertHeaders(tx, candidates, candidateHashes);
    Map<String, byte[]> storedHashes = storedHashesOfSkipped(tx, inserted);
    List<Order> written = new ArrayList<>(inserted.size());
    for (Order order : candidates) {
      if (inserted.contains(order.orderUid())) {
        written.add(order);
      }
    }
    if (!written.isEmpty()) {
      insertDeliveries(tx, written);
      insertPayments(tx, written);
      insertItems(tx, written);
    }
    return results(inserted, storedHashes);
  }

  /**
   * Nested objects must be there before any statement runs; a missing string is left to the
   * schema's NOT NULL constraints.
   */
  private static void requireParts(Order order) {
    Objects.requireNonNull(order.orderUid(), "an order has no order_uid");
    Objects.requireNonNull(
        order.delivery(), () -> "order " + order.orderUid() + " has no delivery");
    Objects.requireNonNull(order.payment(), () -> "order " + order.orderUid() + " has no payment");
    for (Item item : order.items()) {
      Objects.requireNonNull(item, () -> "order " + order.orderUid() + " has a null item");
    }
  }

  private List<SaveResult> results(Set<String> inserted, Map<String, byte[]> storedHashes) {
    List<SaveResult> results = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      String uid = batch.get(i).orderUid();
      int first = firstIndexByUid.get(uid);
      SaveOutcome outcome;
      if (i == first && inserted.contains(uid)) {
        outcome = SaveOutcome.INSERTED;
      } else {
        // A later copy is compared with the first of the batch if that one was written, else
        // with what was already stored.
        byte[] reference = inserted.contains(uid) ? hashes[first] : storedHashes.get(uid);
        outcome =
            Arrays.equals(reference, hashes[i]) ? SaveOutcome.DUPLICATE : SaveOutcome.CONFLICT;
      }
      results.add(new SaveResult(uid, outcome));
    }
    return results;
  }

  private static Set<String> insertHeaders(DSLContext tx, List<Order> orders, List<byte[]> hashes) {
    int n = orders.size();
    String[] uid = new String[n];
    String[] trackNumber = new String[n];
    String[] entry = new String[n];
    String[] locale = new String[n];
    String[] internalSignature = new String[n];
    String[] customerId = new String[n];
    String[] deliveryService = new String[n];
    String[] shardkey = new String[n];
    int[] smId = new int[n];
    String[] dateCreated = new String[n];
    String[] oofShard = new String[n];
    byte[][] contentHash = hashes.toArray(new byte[0][]);
    for (int i = 0; i < n; i++) {
      Order o = orders.get(i);
      uid[i] = o.orderUid();
      trackNumber[i] = o.trackNumber();
      entry[i] = o.entry();
      locale[i] = o.locale();
      internalSignature[i] = o.internalSignature();
      customerId[i] = o.customerId();
      deliveryService[i] = o.deliveryService();
      shardkey[i] = o.shardkey();
      smId[i] = o.smId();
      dateCreated[i] = o.dateCreated();
      oofShard[i] = o.oofShard();
    }
    return tx.insertInto(
            ORDERS, OrderColumns.concat(OrderColumns.HEADER, List.of(ORDERS.CONTENT_HASH)))
        .select(
            DSL.selectFrom(
                unnest(
                    text(uid),
                    text(trackNumber),
                    text(entry),
                    text(locale),
                    text(internalSignature),
                    text(customerId),
                    text(deliveryService),
                    text(shardkey),
                    ArrayParams.int4(smId),
                    text(dateCreated),
                    text(oofShard),
                    ArrayParams.bytea(contentHash))))
        .onConflict(ORDERS.ORDER_UID)
        .doNothing()
        .returningResult(ORDERS.ORDER_UID)
        .fetchSet(ORDERS.ORDER_UID);
  }

  /** The stored hashes of the batch's uids that were not inserted because they exist. */
  private Map<String, byte[]> storedHashesOfSkipped(DSLContext tx, Set<String> inserted) {
    if (inserted.size() == firstIndexByUid.size()) {
      return Map.of();
    }
    String[] skipped =
        firstIndexByUid.keySet().stream()
            .filter(uid -> !inserted.contains(uid))
            .toArray(String[]::new);
    Map<String, byte[]> stored = new HashMap<>();
    tx.select(ORDERS.ORDER_UID, ORDERS.CONTENT_HASH)
        .from(ORDERS)
        .where(ORDERS.ORDER_UID.eq(DSL.any(skipped)))
        .forEach(r -> stored.put(r.value1(), r.value2()));
    if (stored.size() != skipped.length) {
      // ON CONFLICT saw the row, this read did not: it was deleted in between. Rare enough to let
      // the caller retry the whole batch.
      throw new OrderStoreException(
          "could not save a batch of "
              + batch.size()
              + " orders: a stored order was deleted while the batch was being saved",
          true,
          null);
    }
    return stored;
  }

  private static void insertDeliveries(DSLContext tx, List<Order> orders) {
    int n = orders.size();
    String[] uid = new String[n];
    String[] name = new String[n];
    String[] phone = new String[n];
    String[] zip = new String[n];
    String[] city = new String[n];
    String[] address = new String[n];
    String[] region = new String[n];
    String[] email = new String[n];
    for (int i = 0; i < n; i++) {
      Order o = orders.get(i);
      Delivery d = o.delivery();
      uid[i] = o.orderUid();
      name[i] = d.name();
      phone[i] = d.phone();
      zip[i] = d.zip();
      city[i] = d.city();
      address[i] = d.address();
      region[i] = d.region();
      email[i] = d.email();
    }
    insert(
        tx,
        DELIVERY,
        OrderColumns.concat(List.of(DELIVERY.ORDER_UID), OrderColumns.DELIVERY_VALUES),
        text(uid),
        text(name),
        text(phone),
        text(zip),
        text(city),
        text(address),
        text(region),
        text(email));
  }

  private static void insertPayments(DSLContext tx, List<Order> orders) {
    int n = orders.size();
    String[] uid = new String[n];
    String[] transaction = new String[n];
    String[] requestId = new String[n];
    String[] currency = new String[n];
    String[] provider = new String[n];
    int[] amount = new int[n];
    long[] paymentDt = new long[n];
    String[] bank = new String[n];
    int[] deliveryCost = new int[n];
    int[] goodsTotal = new int[n];
    int[] customFee = new int[n];
    for (int i = 0; i < n; i++) {
      Order o = orders.get(i);
      Payment p = o.payment();
      uid[i] = o.orderUid();
      transaction[i] = p.transaction();
      requestId[i] = p.requestId();
      currency[i] = p.currency();
      provider[i] = p.provider();
      amount[i] = p.amount();
      paymentDt[i] = p.paymentDt();
      bank[i] = p.bank();
      deliveryCost[i] = p.deliveryCost();
      goodsTotal[i] = p.goodsTotal();
      customFee[i] = p.customFee();
    }
    insert(
        tx,
        PAYMENT,
        OrderColumns.concat(List.of(PAYMENT.ORDER_UID), OrderColumns.PAYMENT_VALUES),
        text(uid),
        text(transaction),
        text(requestId),
        text(currency),
        text(provider),
        ArrayParams.int4(amount),
        ArrayParams.int8(paymentDt),
        text(bank),
        ArrayParams.int4(deliveryCost),
        ArrayParams.int4(goodsTotal),
        ArrayParams.int4(customFee));
  }

  private static void insertItems(DSLContext tx, List<Order> orders) {
    int n = 0;
    for (Order o : orders) {
      n += o.items().size();
    }
    if (n == 0) {
      return;
    }
    String[] uid = new String[n];
    int[] position = new int[n];
    long[] chrtId = new long[n];
    String[] trackNumber = new String[n];
    int[] price = new int[n];
    String[] rid = new String[n];
    String[] name = new String[n];
    int[] sale = new int[n];
    String[] size = new String[n];
    int[] totalPrice = new int[n];
    long[] nmId = new long[n];
    String[] brand = new String[n];
    int[] status = new int[n];
    int row = 0;
    for (Order o : orders) {
      List<Item> items = o.items();
      for (int p = 0; p < items.size(); p++, row++) {
        Item item = items.get(p);
        uid[row] = o.orderUid();
        position[row] = p;
        chrtId[row] = item.chrtId();
        trackNumber[row] = item.trackNumber();
        price[row] = item.price();
        rid[row] = item.rid();
        name[row] = item.name();
        sale[row] = item.sale();
        size[row] = item.size();
        totalPrice[row] = item.totalPrice();
        nmId[row] = item.nmId();
        brand[row] = item.brand();
        status[row] = item.status();
      }
    }
    insert(
        tx,
        ITEMS,
        OrderColumns.concat(List.of(ITEMS.ORDER_UID), OrderColumns.ITEM_VALUES),
        text(uid),
        ArrayParams.int4(position),
        ArrayParams.int8(chrtId),
        text(trackNumber),
        ArrayParams.int4(price),
        text(rid),
        text(name),
        ArrayParams.int4(sale),
        text(size),
        ArrayParams.int4(totalPrice),
        ArrayParams.int8(nmId),
        text(brand),
        ArrayParams.int4(status));
  }

  /** {@code INSERT INTO table (columns) SELECT * FROM unnest(arrays)}, arrays in column order. */
  private static <R extends Record> void insert(
      DSLContext tx, Table<R> table, List<TableField<R, ?>> columns, Field<?>... arrays) {
    tx.insertInto(table, columns).select(DSL.selectFrom(unnest(arrays))).execute();
  }

  /** PostgreSQL's multi-argument unnest: a row per index, a column per array. */
  private static Table<?> unnest(Field<?>... arrays) {
    return DSL.table("unnest({0})", DSL.list(arrays));
  }

  private static Field<String[]> text(String[] values) {
    return ArrayParams.text(values);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
