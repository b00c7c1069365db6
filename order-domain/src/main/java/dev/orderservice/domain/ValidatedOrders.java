package dev.orderservice.domain;

import java.util.List;

/**
 * A batch that {@link OrderService#validate} has checked: the invalid orders with their violations,
 * the valid ones encoded as canonical JSON, in input order, ready for {@link OrderService#store}.
 * Validation needs no I/O, so a caller may validate the next batch while the previous one is being
 * stored.
 *
 * <p>Immutable and thread safe.
 */
public final class ValidatedOrders {

  private final AcceptResult[] invalid;
  private final List<EncodedOrder> valid;
  private final int[] validPositions;

  ValidatedOrders(AcceptResult[] invalid, List<EncodedOrder> valid, int[] validPositions) {
    this.invalid = invalid;
    this.valid = List.copyOf(valid);
    this.validPositions = validPositions;
  }

  /** How many orders the batch holds, valid or not. */
  public int size() {
    return invalid.length;
  }

  /** How many of them are valid, to be stored. */
  public int validCount() {
    return valid.size();
  }

  List<EncodedOrder> valid() {
    return valid;
  }

  /** The results of the batch, in input order, with the valid orders' results filled in. */
  List<AcceptResult> results(List<SaveResult> saved) {
    AcceptResult[] results = invalid.clone();
    for (int k = 0; k < saved.size(); k++) {
      results[validPositions[k]] = AcceptResult.saved(saved.get(k));
    }
    return List.of(results);
  }
}
