package dev.orderservice.devstack;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Everything an {@link EmbeddedPostgres} server is configured with, in one place: how {@code
 * initdb} sets up a new cluster (superuser, authentication, encoding), the options the postmaster
 * runs with (address, port, the caller's {@code -c} settings over this class's defaults), and how
 * our own connections log in. A new server feature (TLS, password authentication, replication) adds
 * its settings here, so the three always agree.
 *
 * <p>Immutable; safe from any thread.
 */
final class PostgresServerSettings {

  private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");

  private final String user;
  private final boolean temporary;
  private final Map<String, String> settings;
  private final List<String> hbaLines;

  /**
   * @param user the superuser initdb creates and we connect as
   * @param temporary whether the cluster is thrown away on close (durability is relaxed then)
   * @param requested the caller's settings, applied over the defaults
   */
  PostgresServerSettings(String user, boolean temporary, Map<String, String> requested) {
    this(user, temporary, requested, Logins.TRUST);
  }

  /**
   * @param logins how roles other than the superuser log in; the superuser is trusted always
   */
  PostgresServerSettings(
      String user, boolean temporary, Map<String, String> requested, Logins logins) {
    this.user = user;
    this.temporary = temporary;
    this.hbaLines = hbaLines(user, logins);
    Map<String, String> effective = new LinkedHashMap<>();
    if (temporary) {
      // Throw-away cluster: durability buys nothing and costs seconds in write-heavy tests.
      effective.put("fsync", "off");
      effective.put("synchronous_commit", "off");
      effective.put("full_page_writes", "off");
    }
    effective.putAll(requested);
    this.settings = Collections.unmodifiableMap(effective);
  }

  /**
   * {@code name} if it can be a PostgreSQL setting's name.
   *
   * @throws IllegalArgumentException otherwise
   */
  static String requireSettingName(String name) {
    if (!SETTING_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a PostgreSQL setting name: " + name);
    }
    return name;
  }

  String user() {
    return user;
  }

  /** The arguments of {@code initdb} after {@code -D DIRECTORY}. */
  List<String> initdbOptions() {
    List<String> options =
        new ArrayList<>(List.of("-A", "trust", "-U", user, "-E", "UTF8", "--no-locale"));
    if (temporary) {
      // Temporary cluster: skipping the final fsync of ~40 MB saves noticeable time.
      options.add("--no-sync");
    }
    return options;
  }

  /**
   * Options for the postmaster ({@code pg_ctl start -o}). pg_ctl pastes this string into a {@code
   * /bin/sh -c} command line, so every value is single-quoted for the shell.
   */
  String postmasterOptions(int port) {
    StringBuilder options =
        new StringBuilder()
            .append("-p ")
            .append(port)
            .append(" -c ")
            .append(PostgresCommands.shellQuote("listen_addresses=" + Ports.LOOPBACK))
            // No Unix socket: avoids /tmp lock files shared between instances and users.
            .append(" -c ")
            .append(PostgresCommands.shellQuote("unix_socket_directories="));
    settings.forEach(
        (name, value) ->
            options.append(" -c ").append(PostgresCommands.shellQuote(name + "=" + value)));
    return options.toString();
  }

  /**
   * The lines of the {@code pg_hba.conf} the server runs with; empty for the one initdb wrote
   * (trust for everyone on 127.0.0.1).
   */
  List<String> hbaLines() {
    return hbaLines;
  }

  /** How roles other than the superuser log in. */
  enum Logins {
    /** Without a password (initdb's {@code -A trust}). */
    TRUST,
    /** With a scram-sha-256 password, over TLS or not. */
    PASSWORD,
    /** Over TLS only, with a scram-sha-256 password and a client certificate of the server's CA. */
    PASSWORD_AND_CERTIFICATE
  }

  private static List<String> hbaLines(String superuser, Logins logins) {
    if (logins == Logins.TRUST) {
      return List.of();
    }
    String address = Ports.LOOPBACK + "/32";
    // First match wins: our own connections (the superuser) stay password-less.
    String trusted = "host all " + PostgresDatabases.quoteIdentifier(superuser) + " " + address;
    return List.of(
        trusted + " trust",
        logins == Logins.PASSWORD
            ? "host all all " + address + " scram-sha-256"
            : "hostssl all all " + address + " scram-sha-256 clientcert=verify-ca");
  }

  /** pgjdbc properties for our own connections: the superuser, and short timeouts. */
  Properties connectionProperties() {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("connectTimeout", "5");
    properties.setProperty("loginTimeout", "10");
    return properties;
  }
}
