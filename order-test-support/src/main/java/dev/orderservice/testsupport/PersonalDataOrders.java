package dev.orderservice.testsupport;

import dev.orderservice.domain.Delivery;
import dev.orderservice.domain.EncodedOrder;
import dev.orderservice.domain.Order;
import dev.orderservice.domain.OrderCodec;
import dev.orderservice.domain.RandomOrders;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Orders whose personal values all carry a token ({@value #TOKEN} unless another is given), and a
 * scan of every text and bytea column of every table of a schema for it: a value of them left
 * anywhere, in a normalized row, the canonical JSON or a table added later, is found.
 */
public final class PersonalDataOrders {

  public static final String TOKEN = "piiq";

  private final RandomOrders random;
  private final java.util.Random tags;
  private final OrderCodec codec = OrderCodec.standard();
  private final String token;
  private int next;

  public PersonalDataOrders(long seed) {
    this(seed, TOKEN);
  }

  public PersonalDataOrders(long seed, String token) {
    this.token = token;
    this.random = new RandomOrders(seed);
    this.tags = new java.util.Random(seed);
  }

  /** An order of {@code customerId} with personal values that carry the token. */
  public EncodedOrder order(String customerId) {
    int n = next++;
    String tag = token + n + "x" + Long.toHexString(tags.nextLong());
    Order order =
        random
            .next()
            .withCustomerId(customerId)
            .withDelivery(
                new Delivery(
                    "Name " + tag,
                    "+7" + tag,
                    "zip-" + tag,
                    "City " + tag,
                    "Street " + tag,
                    "Region " + tag,
                    tag + "@mail-" + token + ".example.com"));
    return codec.encoded(order);
  }

  /** A customer id that carries the token. */
  public String customer(String name) {
    return token + "-customer-" + name;
  }

  /**
   * The cells of {@code schema} that hold the token (case-insensitive), as "table.column" once per
   * cell; in bytea, the token's UTF-8 bytes as they are.
   */
  public List<String> cellsWithToken(DataSource dataSource, String schema) throws SQLException {
    List<String> found = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      List<String[]> columns = new ArrayList<>();
      try (PreparedStatement s =
          c.prepareStatement(
              "select table_name, column_name, data_type from information_schema.columns"
                  + " where table_schema = ? and data_type in"
                  + " ('text', 'character varying', 'bytea', 'jsonb', 'json')")) {
        s.setString(1, schema);
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            columns.add(new String[] {r.getString(1), r.getString(2), r.getString(3)});
          }
        }
      }
      for (String[] column : columns) {
        String quoted = "\"" + schema + "\".\"" + column[0] + "\"";
        String sql =
            column[2].equals("bytea")
                ? "select count(*) from "
                    + quoted
                    + " where position(convert_to('"
                    + token
                    + "', 'UTF8') in \""
                    + column[1]
                    + "\") > 0"
                : "select count(*) from "
                    + quoted
                    + " where lower(\""
                    + column[1]
                    + "\"::text) like '%"
                    + token.toLowerCase(Locale.ROOT)
                    + "%'";
        try (PreparedStatement s = c.prepareStatement(sql);
            ResultSet r = s.executeQuery()) {
          r.next();
          for (long i = 0; i < r.getLong(1); i++) {
            found.add(column[0] + "." + column[1]);
          }
        }
      }
    }
    return found;
  }
}
