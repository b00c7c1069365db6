package dev.orderservice.persistence;

import dev.orderservice.domain.PersonalData;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The key of the customer pseudonyms, in V8's {@code pseudonym_key}: 32 random bytes, written by
 * the first caller (a race between two first callers keeps one of the two keys, the same for both).
 * Never logged.
 */
final class PseudonymKey {

  private static final String READ = "select key from pseudonym_key where id = 1";
  private static final String CREATE =
      "insert into pseudonym_key (id, key) values (1, ?) on conflict (id) do nothing";

  private PseudonymKey() {}

  /** The database's pseudonyms, its key created first if it has none yet. */
  static PersonalData of(Connection c) throws SQLException {
    Optional<byte[]> key = read(c);
    if (key.isEmpty()) {
      byte[] fresh = new byte[PersonalData.KEY_BYTES];
      new SecureRandom().nextBytes(fresh);
      try (PreparedStatement insert = c.prepareStatement(CREATE)) {
        insert.setBytes(1, fresh);
        insert.executeUpdate();
      }
      key = read(c);
    }
    return new PersonalData(
        key.orElseThrow(() -> new SQLException("pseudonym_key has no key after writing one")));
  }

  private static Optional<byte[]> read(Connection c) throws SQLException {
    try (PreparedStatement select = c.prepareStatement(READ);
        ResultSet row = select.executeQuery()) {
      return row.next() ? Optional.of(row.getBytes(1)) : Optional.empty();
    }
  }
}
