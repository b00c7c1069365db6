package dev.orderservice.persistence;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a PostgreSQL connection string into a pgjdbc URL.
 *
 * <p>Accepted forms:
 *
 * <ul>
 *   <li>{@code jdbc:postgresql:...} — returned unchanged;
 *   <li>{@code postgres://[user[:password]@]host[:port][,host2[:port2]...][/database][?params]}
 *       (also {@code postgresql://}) — as used by libpq, psql and most deployment tools. User and
 *       password (percent-decoded) become the {@code user} and {@code password} parameters; other
 *       parameters are kept, with the libpq names {@code connect_timeout} and {@code
 *       application_name} renamed to pgjdbc's {@code connectTimeout} and {@code ApplicationName},
 *       and {@code target_session_attrs} turned into pgjdbc's {@code targetServerType} ({@code
 *       read-write} and {@code primary} -> {@code primary}, {@code read-only} and {@code standby}
 *       -> {@code secondary}, {@code prefer-standby} -> {@code preferSecondary}, {@code any} ->
 *       {@code any}). A missing database defaults to the user name, as in libpq.
 * </ul>
 *
 * For example {@code postgres://app:s3cr%40t@db:5432/orders?sslmode=disable} becomes {@code
 * jdbc:postgresql://db:5432/orders?user=app&password=s3cr%40t&sslmode=disable}, and the multi-host
 * {@code postgres://app@h1:5432,h2:5432/orders?target_session_attrs=read-write} becomes {@code
 * jdbc:postgresql://h1:5432,h2:5432/orders?user=app&targetServerType=primary}: pgjdbc tries the
 * hosts in turn and keeps the one that accepts writes.
 *
 * <p>TLS parameters mean what they mean to libpq: {@code sslmode} ({@code disable}, {@code prefer},
 * the default, {@code require}, {@code verify-ca}, {@code verify-full}), {@code sslrootcert} (the
 * CA certificates, PEM), {@code sslcert} (the client certificate, PEM) and {@code sslkey} (its key)
 * reach pgjdbc, which reads them alike, with two differences this class and the runners take care
 * of: libpq verifies the server's certificate under {@code sslmode=require} when {@code
 * sslrootcert} is given (as {@code verify-ca}), pgjdbc never does, so such a DSN becomes {@code
 * sslmode=verify-ca}; and pgjdbc reads a key in PKCS#8 form only (PEM {@code BEGIN PRIVATE KEY},
 * DER, or a {@code .p12} store), not the older {@code BEGIN RSA PRIVATE KEY} / {@code BEGIN EC
 * PRIVATE KEY} PEM that {@code openssl} may write ({@code openssl pkcs8 -topk8 -nocrypt} converts).
 *
 * <p>Stateless and thread-safe. Anything else (other JDBC drivers, libpq {@code key=value} strings,
 * blank input) is rejected with an {@link IllegalArgumentException} that names the accepted forms;
 * the message never repeats a password.
 */
public final class PostgresDsn {

  private static final String JDBC_PREFIX = "jdbc:postgresql:";
  private static final Map<String, String> LIBPQ_TO_PGJDBC =
      Map.of(
          "connect_timeout", "connectTimeout",
          "application_name", "ApplicationName");

  /**
   * libpq's {@code target_session_attrs} values and pgjdbc's {@code targetServerType} for each:
   * with several hosts, which server a connection may end on ({@code read-write}: the primary, so a
   * promoted standby takes over after a failover).
   */
  private static final Map<String, String> TARGET_SESSION_ATTRS =
      Map.of(
          "read-write", "primary",
          "primary", "primary",
          "read-only", "secondary",
          "standby", "secondary",
          "prefer-standby", "preferSecondary",
          "any", "any");

  private PostgresDsn() {}

  /**
   * The pgjdbc URL for {@code dsnOrJdbcUrl}.
   *
   * @throws IllegalArgumentException if the string is not one of the accepted forms
   * @throws NullPointerException if the argument is null
   */
  public static String toJdbcUrl(String dsnOrJdbcUrl) {
    Objects.requireNonNull(dsnOrJdbcUrl, "dsnOrJdbcUrl");
    String dsn = dsnOrJdbcUrl.strip();
    String lower = dsn.toLowerCase(Locale.ROOT);
    if (lower.startsWith(JDBC_PREFIX)) {
      return dsn;
    }
    if (lower.startsWith("jdbc:")) {
      throw invalid("is a JDBC URL for another driver", dsn);
    }
    String rest;
    if (lower.startsWith("postgres://")) {
      rest = dsn.substring("postgres://".length());
    } else if (lower.startsWith("postgresql://")) {
      rest = dsn.substring("postgresql://".length());
    } else if (dsn.contains("=") && !dsn.contains("://")) {
      throw invalid("looks like a libpq key=value string, which is not supported", dsn);
    } else {
      throw invalid("is not a PostgreSQL URL", dsn);
    }

    String query = "";
    int questionMark = rest.indexOf('?');
    if (questionMark >= 0) {
      query = rest.substring(questionMark + 1);
      rest = rest.substring(0, questionMark);
    }
    String database = "";
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      database = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
    }
    String user = null;
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = userInfo.indexOf(':');
      user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo, dsn);
      password = colon >= 0 ? decode(userInfo.substring(colon + 1), dsn) : null;
      if (user.isEmpty()) {
        user = null;
      }
    }
    String hosts = rest;
    if (hosts.isEmpty()) {
      throw invalid("names no host (Unix-socket DSNs are not supported by JDBC)", dsn);
    }
    if (hosts.contains(" ")) {
      throw invalid("has a space in its host part", dsn);
    }
    database = decode(database, dsn);
    if (database.isEmpty()) {
      if (user == null) {
        throw invalid("names neither a database nor a user to default it to", dsn);
      }
      database = user;
    }

    List<String> parameters = new ArrayList<>();
    if (user != null) {
      parameters.add("user=" + encode(user));
    }
    if (password != null) {
      parameters.add("password=" + encode(password));
    }
    if (!query.isEmpty()) {
      // libpq: "if a root CA file exists, sslmode=require behaves like verify-ca"; pgjdbc does not.
      boolean rootCertificate = query.matches("(^|.*&)sslrootcert=[^&]+.*");
      for (String parameter : query.split("&")) {
        if (parameter.isEmpty()) {
          continue;
        }
        int equals = parameter.indexOf('=');
        String name = equals >= 0 ? parameter.substring(0, equals) : parameter;
        String value = equals >= 0 ? parameter.substring(equals) : "";
        if (name.equals("target_session_attrs")) {
          parameters.add("targetServerType=" + targetServerType(value, dsn));
          continue;
        }
        if (rootCertificate && name.equals("sslmode") && value.equals("=require")) {
          value = "=verify-ca";
        }
        parameters.add(LIBPQ_TO_PGJDBC.getOrDefault(name, name) + value);
      }
    }
    StringBuilder url =
        new StringBuilder(JDBC_PREFIX)
            .append("//")
            .append(hosts)
            .append('/')
            .append(encode(database));
    if (!parameters.isEmpty()) {
      url.append('?').append(String.join("&", parameters));
    }
    return url.toString();
  }

  private static String targetServerType(String equalsValue, String dsn) {
    String value = decode(equalsValue.isEmpty() ? "" : equalsValue.substring(1), dsn);
    String type = TARGET_SESSION_ATTRS.get(value);
    if (type == null) {
      throw invalid(
          "has target_session_attrs="
              + value
              + ", which is none of read-write, read-only, primary, standby, prefer-standby, any",
          dsn);
    }
    return type;
  }

  /**
   * {@code jdbcUrl} with {@code password} added as its {@code password} parameter, for a password
   * that comes from elsewhere than the DSN (a file).
   *
   * @throws IllegalArgumentException if the URL carries a password already (the message says so
   *     without repeating either)
   */
  public static String withPassword(String jdbcUrl, String password) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(password, "password");
    int query = jdbcUrl.indexOf('?');
    if (query >= 0 && ("&" + jdbcUrl.substring(query + 1)).contains("&password=")) {
      throw new IllegalArgumentException(
          "the PostgreSQL connection string carries a password already; give it in one place");
    }
    return jdbcUrl + (query >= 0 ? "&" : "?") + "password=" + encode(password);
  }

  private static String decode(String value, String dsn) {
    try {
      // URLDecoder turns '+' into a space, which is form encoding, not URL encoding.
      return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid("has invalid percent-encoding", dsn);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static IllegalArgumentException invalid(String problem, String dsn) {
    return new IllegalArgumentException(
        "PostgreSQL connection string '"
            + redact(dsn)
            + "' "
            + problem
            + "; expected jdbc:postgresql://host:port/db?user=... or"
            + " postgres://user:password@host:port/db");
  }

  /** Hides a password in error messages; these end up in CI logs. */
  static String redact(String dsn) {
    int scheme = dsn.indexOf("://");
    int at = dsn.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return dsn.replaceAll("(?i)(password=)[^&\\s]*", "$1***");
    }
    String userInfo = dsn.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String shown = colon >= 0 ? userInfo.substring(0, colon) + ":***" : userInfo;
    return (dsn.substring(0, scheme + 3) + shown + dsn.substring(at))
        .replaceAll("(?i)(password=)[^&\\s]*", "$1***");
  }
}
