package dev.orderservice.persistence;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * One {@code COPY ... FROM STDIN (FORMAT binary)} on a connection: rows are written field by field
 * into a buffer that goes to the server 64 KiB at a time.
 *
 * <p>Why binary: the server takes numbers and byte arrays as they are, with no text to parse, and
 * the client escapes nothing; it is the cheapest way into a PostgreSQL table. The format is
 * PostgreSQL's documented one: a signature, flags and header extension, then per row a 16-bit field
 * count and per field a 32-bit length and the value's bytes (network byte order), then -1.
 *
 * <p>Not thread safe. {@link #finish()} ends the copy; on any failure the caller must call {@link
 * #cancel()} (it does nothing once the copy has ended) and roll back.
 */
final class BinaryCopy {

  private static final byte[] HEADER = {
    'P',
    'G',
    'C',
    'O',
    'P',
    'Y',
    '\n',
    (byte) 0xFF,
    '\r',
    '\n',
    0, // signature
    0,
    0,
    0,
    0, // flags: no OIDs
    0,
    0,
    0,
    0 // header extension: none
  };

  private static final int BUFFER_BYTES = 1 << 16;

  /** 2000-01-01T00:00:00Z, from which PostgreSQL counts a timestamptz's microseconds. */
  private static final long POSTGRES_EPOCH_SECOND = 946_684_800L;

  private final CopyIn copy;
  private byte[] buffer = new byte[BUFFER_BYTES];
  private int used;

  private BinaryCopy(CopyIn copy) {
    this.copy = copy;
  }

  /** Starts {@code sql}, a {@code COPY ... FROM STDIN (FORMAT binary)}, on {@code connection}. */
  static BinaryCopy start(Connection connection, String sql) throws SQLException {
    BinaryCopy started =
        new BinaryCopy(connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql));
    started.bytes(HEADER);
    return started;
  }

  void startRow(int fields) throws SQLException {
    reserve(2);
    buffer[used++] = (byte) (fields >>> 8);
    buffer[used++] = (byte) fields;
  }

  /** A text value; {@code null} is SQL NULL, which the schema's NOT NULL columns refuse. */
  void text(String value) throws SQLException {
    if (value == null) {
      nullValue();
      return;
    }
    int length = value.length();
    if (isAscii(value)) {
      reserve(4 + length);
      putInt(length);
      for (int i = 0; i < length; i++) {
        buffer[used++] = (byte) value.charAt(i);
      }
    } else {
      bytea(value.getBytes(UTF_8));
    }
  }

  void int4(int value) throws SQLException {
    reserve(8);
    putInt(4);
    putInt(value);
  }

  void int8(long value) throws SQLException {
    reserve(12);
    putInt(8);
    putInt((int) (value >>> 32));
    putInt((int) value);
  }

  /**
   * A {@code timestamptz}: microseconds since 2000-01-01 UTC, whatever the session's time zone;
   * nanoseconds below the microsecond are dropped. {@code null} is SQL NULL.
   */
  void timestamptz(Instant value) throws SQLException {
    if (value == null) {
      nullValue();
      return;
    }
    int8(
        Math.addExact(
            Math.multiplyExact(value.getEpochSecond() - POSTGRES_EPOCH_SECOND, 1_000_000L),
            value.getNano() / 1_000));
  }

  void bytea(byte[] value) throws SQLException {
    if (value == null) {
      nullValue();
      return;
    }
    reserve(4);
    putInt(value.length);
    bytes(value);
  }

  /**
   * Sends the rest and ends the copy; the server checks the rows' constraints as they arrive, and
   * reports the first one broken here at the latest.
   *
   * @return the rows the server took
   */
  long finish() throws SQLException {
    reserve(2);
    buffer[used++] = (byte) 0xFF; // the trailer: a field count of -1
    buffer[used++] = (byte) 0xFF;
    flush();
    return copy.endCopy();
  }

  /** Abandons the copy if it is still going; the transaction must then be rolled back. */
  void cancel() {
    try {
      if (copy.isActive()) {
        copy.cancelCopy();
      }
    } catch (SQLException e) {
      // The connection is broken or the copy already ended: the rollback that follows decides.
    }
  }

  private void nullValue() throws SQLException {
    reserve(4);
    putInt(-1);
  }

  private void bytes(byte[] value) throws SQLException {
    if (value.length > buffer.length - used) {
      flush();
      if (value.length > buffer.length) {
        copy.writeToCopy(value, 0, value.length);
        return;
      }
    }
    System.arraycopy(value, 0, buffer, used, value.length);
    used += value.length;
  }

  private void putInt(int value) {
    buffer[used++] = (byte) (value >>> 24);
    buffer[used++] = (byte) (value >>> 16);
    buffer[used++] = (byte) (value >>> 8);
    buffer[used++] = (byte) value;
  }

  /** Makes room for {@code bytes} more; a value longer than the buffer grows it once. */
  private void reserve(int bytes) throws SQLException {
    if (bytes > buffer.length - used) {
      flush();
      if (bytes > buffer.length) {
        buffer = new byte[bytes];
      }
    }
  }

  private void flush() throws SQLException {
    if (used > 0) {
      copy.writeToCopy(buffer, 0, used);
      used = 0;
    }
  }

  private static boolean isAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
