package dev.orderservice.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.jooq.Field;
import org.jooq.TableField;

/**
 * The columns one record's values are stored in, each written from the record and read back into
 * it. A column's place is where it is declared: the {@code COPY} writes the columns in that order,
 * and a select of {@link #fields()} from a position {@code first} on has each column at {@code
 * first} plus its place, which is where its {@link Text#get}, {@link Int4#get} or {@link Int8#get}
 * reads it. So nobody counts positions, and a column added is written, selected and read.
 *
 * <p>Filled while the class that declares the columns initializes (a {@code static final} field per
 * column, in order); read-only after, and then thread safe.
 */
final class RecordColumns<R> {

  private final List<Column<R>> columns = new ArrayList<>();

  /** A text column, read with {@link ResultSet#getString}. */
  Text<R> text(TableField<?, String> field, Function<R, String> value) {
    Column<R> column = Column.text(field, value);
    return new Text<>(column, add(column));
  }

  /** An integer column, read with {@link ResultSet#getInt}. */
  Int4<R> int4(TableField<?, Integer> field, ToIntFunction<R> value) {
    Column<R> column = Column.int4(field, value);
    return new Int4<>(column, add(column));
  }

  /** A bigint column, read with {@link ResultSet#getLong}. */
  Int8<R> int8(TableField<?, Long> field, ToLongFunction<R> value) {
    Column<R> column = Column.int8(field, value);
    return new Int8<>(column, add(column));
  }

  /** The columns, in order: how a row is written. */
  List<Column<R>> columns() {
    return List.copyOf(columns);
  }

  /** The columns' fields, in order: what a reader selects. */
  List<Field<?>> fields() {
    return Column.fields(columns);
  }

  /** How many columns there are: where the next record's columns start in a select. */
  int size() {
    return columns.size();
  }

  private int add(Column<R> column) {
    columns.add(column);
    return columns.size() - 1;
  }

  /** A text column and its place among the record's columns. */
  record Text<R>(Column<R> column, int place) {
    /** Its value on the current row of a select with the record's columns from {@code first}. */
    String get(ResultSet row, int first) throws SQLException {
      return row.getString(first + place);
    }
  }

  /** An integer column and its place among the record's columns. */
  record Int4<R>(Column<R> column, int place) {
    /** Its value on the current row of a select with the record's columns from {@code first}. */
    int get(ResultSet row, int first) throws SQLException {
      return row.getInt(first + place);
    }
  }

  /** A bigint column and its place among the record's columns. */
  record Int8<R>(Column<R> column, int place) {
    /** Its value on the current row of a select with the record's columns from {@code first}. */
    long get(ResultSet row, int first) throws SQLException {
      return row.getLong(first + place);
    }
  }
}
