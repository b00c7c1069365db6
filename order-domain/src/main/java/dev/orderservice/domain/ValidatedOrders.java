package dev.orderservice.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A batch that {@link OrderChecker#check} or {@link OrderChecker#validate} (or the same methods of
 * {@link OrderService}) has read and checked: for each document, in input order, either the result
 * it ends with before any storing (unreadable or invalid) or its order encoded as canonical JSON,
 * ready for {@link OrderService#store}. Checking needs no I/O, so a caller may check the next batch
 * while the previous one is being stored.
 *
 * <p>Immutable and thread safe.
 */
public final class ValidatedOrders {

  /** Per position: the result when rejected before storing, else null. */
  private final AcceptResult[] rejected;

  /** Per position: the encoded order when valid, else null. */
  private final EncodedOrder[] valid;

  ValidatedOrders(AcceptResult[] rejected, EncodedOrder[] valid) {
    this.rejected = rejected;
    this.valid = valid;
  }

  /** How many documents the batch holds, valid or not. */
  public int size() {
    return rejected.length;
  }

  /** How many of them are valid orders, to be stored. */
  public int validCount() {
    int n = 0;
    for (EncodedOrder order : valid) {
      n += order == null ? 0 : 1;
    }
    return n;
  }

  /** The valid order at {@code position}, if it is one. */
  public Optional<EncodedOrder> validAt(int position) {
    return Optional.ofNullable(valid[position]);
  }

  /** The result of the document at {@code position} if it was rejected before storing. */
  public Optional<AcceptResult> rejectedAt(int position) {
    return Optional.ofNullable(rejected[position]);
  }

  /**
   * The documents at {@code positions}, in that order, as a batch of their own: for storing parts
   * of a batch apart (say, by a hash of the uid) and putting the results back together.
   */
  public ValidatedOrders only(List<Integer> positions) {
    AcceptResult[] someRejected = new AcceptResult[positions.size()];
    EncodedOrder[] someValid = new EncodedOrder[positions.size()];
    for (int i = 0; i < positions.size(); i++) {
      someRejected[i] = rejected[positions.get(i)];
      someValid[i] = valid[positions.get(i)];
    }
    return new ValidatedOrders(someRejected, someValid);
  }

  /**
   * The documents of {@code parts}, one batch after the other, as one batch: for a batch that grew
   * by the documents that arrived while it waited to be stored.
   */
  public static ValidatedOrders concat(List<ValidatedOrders> parts) {
    int size = parts.stream().mapToInt(ValidatedOrders::size).sum();
    AcceptResult[] allRejected = new AcceptResult[size];
    EncodedOrder[] allValid = new EncodedOrder[size];
    int at = 0;
    for (ValidatedOrders part : parts) {
      System.arraycopy(part.rejected, 0, allRejected, at, part.size());
      System.arraycopy(part.valid, 0, allValid, at, part.size());
      at += part.size();
    }
    return new ValidatedOrders(allRejected, allValid);
  }

  List<EncodedOrder> valid() {
    List<EncodedOrder> orders = new ArrayList<>(valid.length);
    for (EncodedOrder order : valid) {
      if (order != null) {
        orders.add(order);
      }
    }
    return orders;
  }

  /** The results of the batch, in input order, with the valid orders' saved results filled in. */
  List<AcceptResult> results(List<SaveResult> saved) {
    AcceptResult[] results = rejected.clone();
    int k = 0;
    for (int i = 0; i < valid.length; i++) {
      if (valid[i] != null) {
        results[i] = AcceptResult.saved(saved.get(k++));
      }
    }
    return List.of(results);
  }
}
