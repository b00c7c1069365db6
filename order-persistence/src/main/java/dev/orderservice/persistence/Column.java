package dev.orderservice.persistence;

import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.jooq.Field;
import org.jooq.TableField;

/**
 * A column of a table and how its value is taken from an {@code R} and written in {@code COPY}'s
 * binary format ({@link BinaryCopy}). The generated field's type must match the accessor's, or the
 * code does not compile.
 */
record Column<R>(TableField<?, ?> field, Value<R> value) {

  /** Writes one field's value of a row. */
  @FunctionalInterface
  interface Value<R> {
    void write(BinaryCopy copy, R row) throws SQLException;
  }

  /** This column filled from the {@code S} that {@code part} takes the {@code R} out of. */
  <S> Column<S> from(Function<S, R> part) {
    Value<R> own = value;
    return new Column<>(field, (copy, whole) -> own.write(copy, part.apply(whole)));
  }

  static <R> Column<R> text(TableField<?, String> field, Function<R, String> value) {
    return new Column<>(field, (copy, row) -> copy.text(value.apply(row)));
  }

  static <R> Column<R> int4(TableField<?, Integer> field, ToIntFunction<R> value) {
    return new Column<>(field, (copy, row) -> copy.int4(value.applyAsInt(row)));
  }

  static <R> Column<R> int8(TableField<?, Long> field, ToLongFunction<R> value) {
    return new Column<>(field, (copy, row) -> copy.int8(value.applyAsLong(row)));
  }

  static <R> Column<R> bytea(TableField<?, byte[]> field, Function<R, byte[]> value) {
    return new Column<>(field, (copy, row) -> copy.bytea(value.apply(row)));
  }

  static <R> Column<R> timestamptz(
      TableField<?, OffsetDateTime> field, Function<R, Instant> value) {
    return new Column<>(field, (copy, row) -> copy.timestamptz(value.apply(row)));
  }

  /** The fields of {@code columns}, in order: a select list. */
  static List<Field<?>> fields(List<? extends Column<?>> columns) {
    return columns.stream().<Field<?>>map(Column::field).toList();
  }

  /** Each of {@code columns} filled from the {@code S} that {@code part} takes the {@code R} of. */
  static <S, R> List<Column<S>> from(List<Column<R>> columns, Function<S, R> part) {
    return columns.stream().map(c -> c.from(part)).toList();
  }

  @SafeVarargs
  static <R> List<Column<R>> concat(List<Column<R>>... lists) {
    List<Column<R>> all = new ArrayList<>();
    for (List<Column<R>> list : lists) {
      all.addAll(list);
    }
    return List.copyOf(all);
  }
}
