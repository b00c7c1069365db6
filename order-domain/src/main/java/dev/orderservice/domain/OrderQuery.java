package dev.orderservice.domain;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A search of stored orders: any combination of an exact track number, an exact customer id and a
 * range of {@code date_created} instants, newest first, a page at a time. With no filter it lists
 * the newest orders. Built with {@link #builder()}.
 *
 * <p>Newest first means by the instant of {@code date_created}, descending, ties broken by the
 * order the store received them (later first): a total order, so that a page ends at a precise
 * position and the next page starts right after it ({@link OrderCursor}), however many orders are
 * stored meanwhile.
 *
 * @param trackNumber only orders with exactly this {@code track_number}
 * @param customerId only orders with exactly this {@code customer_id}
 * @param from only orders created at or after this instant
 * @param to only orders created before this instant (exclusive)
 * @param limit at most this many orders per page, 1..{@value #MAX_LIMIT}
 * @param after the page starts after this position; empty for the first page
 */
public record OrderQuery(
    Optional<String> trackNumber,
    Optional<String> customerId,
    Optional<Instant> from,
    Optional<Instant> to,
    int limit,
    Optional<OrderCursor> after) {

  /** The largest page. */
  public static final int MAX_LIMIT = 100;

  /** The page size when none is asked for. */
  public static final int DEFAULT_LIMIT = 20;

  /**
   * @throws IllegalArgumentException if {@code limit} is out of range or {@code from} is after
   *     {@code to}
   */
  public OrderQuery {
    Objects.requireNonNull(trackNumber, "trackNumber");
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(after, "after");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", was " + limit);
    }
    if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
      throw new IllegalArgumentException("from must not be after to");
    }
  }

  /** The newest orders, no filter. */
  public static OrderQuery newest(int limit) {
    return builder().limit(limit).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The same search, the page after {@code position}. */
  public OrderQuery after(OrderCursor position) {
    return new OrderQuery(trackNumber, customerId, from, to, limit, Optional.of(position));
  }

  /** Whether the search has a filter (else it lists the newest orders). */
  public boolean isFiltered() {
    return trackNumber.isPresent() || customerId.isPresent() || from.isPresent() || to.isPresent();
  }

  /**
   * What a cursor of this search is bound to: the filters, not the page size or the position. A
   * cursor carries it, so that a cursor of one search is refused by another.
   */
  String fingerprint() {
    return String.join(
        "\u0000",
        "track=" + trackNumber.orElse(""),
        "customer=" + customerId.orElse(""),
        "from=" + from.map(Instant::toString).orElse(""),
        "to=" + to.map(Instant::toString).orElse(""));
  }

  /** Builds a query: no filter and {@value #DEFAULT_LIMIT} orders a page unless told. */
  public static final class Builder {
    private String trackNumber;
    private String customerId;
    private Instant from;
    private Instant to;
    private int limit = DEFAULT_LIMIT;
    private OrderCursor after;

    private Builder() {}

    public Builder trackNumber(String trackNumber) {
      this.trackNumber = trackNumber;
      return this;
    }

    public Builder customerId(String customerId) {
      this.customerId = customerId;
      return this;
    }

    /** Created at or after {@code from}. */
    public Builder from(Instant from) {
      this.from = from;
      return this;
    }

    /** Created before {@code to}. */
    public Builder to(Instant to) {
      this.to = to;
      return this;
    }

    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    public Builder after(OrderCursor after) {
      this.after = after;
      return this;
    }

    /**
     * @throws IllegalArgumentException if the limit is out of range or from is after to
     */
    public OrderQuery build() {
      return new OrderQuery(
          Optional.ofNullable(trackNumber),
          Optional.ofNullable(customerId),
          Optional.ofNullable(from),
          Optional.ofNullable(to),
          limit,
          Optional.ofNullable(after));
    }
  }
}
