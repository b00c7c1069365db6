package dev.orderservice.persistence;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

/**
 * The newest orders' stored JSON, read with one binary {@code COPY ... TO STDOUT}: the fastest way
 * out of PostgreSQL (the {@code bytea} comes as it is stored, with no per-row query or protocol
 * round trip), parsed as it streams in.
 *
 * <p>The binary format: an 11-byte signature, two 32-bit integers (flags, header extension length)
 * and the extension; then per row a 16-bit field count ({@code -1} ends the data) and per field a
 * 32-bit length ({@code -1} for null) and that many bytes.
 */
final class NewestOrdersCopy {

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
  };

  private NewestOrdersCopy() {}

  /**
   * Feeds the uid and JSON of at most {@code limit} orders, newest first, to {@code sink} on this
   * thread; rows without their canonical JSON yet are skipped (and not counted against the limit).
   * A sink that throws ends the copy, and the exception propagates; a copy that did not end is
   * handed to {@code discard}, which must keep the connection from being used again.
   *
   * @return how many orders were fed
   */
  static long stream(
      Connection c, long limit, BiConsumer<String, byte[]> sink, Consumer<Connection> discard)
      throws SQLException {
    String sql =
        "copy (select order_uid, canonical_json from orders where canonical_json is not null"
            + " order by id desc limit "
            + limit
            + ") to stdout (format binary)";
    long fed = 0;
    PGCopyInputStream copy = new PGCopyInputStream(c.unwrap(PGConnection.class), sql);
    boolean ended = false;
    try {
      DataInputStream in = new DataInputStream(new BufferedInputStream(copy, 1 << 16));
      readHeader(in);
      for (short fields = in.readShort(); fields != -1; fields = in.readShort()) {
        if (fields != 2) {
          throw new SQLException("binary COPY: expected 2 fields a row, got " + fields);
        }
        byte[] uid = field(in);
        byte[] json = field(in);
        if (uid != null && json != null) {
          sink.accept(new String(uid, StandardCharsets.UTF_8), json);
          fed++;
        }
      }
      copy.close(); // reads the copy's end, so the connection is ready for the next statement
      ended = true;
    } catch (IOException e) {
      if (e.getCause() instanceof SQLException cause) {
        throw cause;
      }
      // The stream broke (the connection, the server): as a connection failure, class 08.
      throw new SQLException("binary COPY of the newest orders broke off: " + e, "08006", e);
    } finally {
      if (!ended) {
        // A copy that did not end leaves the connection mid-stream, and pgjdbc cannot cancel a
        // COPY TO cleanly: the connection is discarded rather than reused.
        discard.accept(c);
      }
    }
    return fed;
  }

  private static void readHeader(DataInputStream in) throws IOException, SQLException {
    byte[] signature = new byte[SIGNATURE.length];
    in.readFully(signature);
    if (!Arrays.equals(signature, SIGNATURE)) {
      throw new SQLException("binary COPY: not the PGCOPY signature");
    }
    in.readInt(); // flags: no OIDs in a COPY of a query
    in.skipNBytes(in.readInt()); // header extension
  }

  private static byte[] field(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length == -1) {
      return null;
    }
    if (length < 0) {
      throw new EOFException("binary COPY: a field of length " + length);
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }
}
