package dev.orderservice.bench;

import dev.orderservice.persistence.PostgresOrderSearch.SearchSql;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** pgbench scripts of the service's own search statements ({@code PostgresOrderSearch#sql}). */
final class SearchPgBench {

  private SearchPgBench() {}

  /**
   * Writes a pgbench script that runs {@code statement} with each placeholder replaced by the
   * expression {@code values} gives for its value (a pgbench variable, bound as a parameter when
   * pgbench runs it prepared), after the draws of those variables.
   *
   * @throws IllegalArgumentException if {@code values} has no expression for a value of the
   *     statement
   */
  static Path script(
      Path directory, String name, SearchSql statement, SearchSpread.PgBenchValues values)
      throws IOException {
    StringBuilder sql = new StringBuilder();
    int next = 0;
    for (char c : statement.sql().toCharArray()) {
      if (c != '?') {
        sql.append(c);
        continue;
      }
      String parameter = statement.parameters().get(next++);
      String expression = values.values().get(parameter);
      if (expression == null) {
        throw new IllegalArgumentException(name + ": no pgbench value for " + parameter);
      }
      sql.append('(').append(expression).append(')');
    }
    if (next != statement.parameters().size()) {
      throw new IllegalArgumentException(name + ": placeholders and values differ: " + statement);
    }
    List<String> lines = new ArrayList<>(values.draws());
    lines.add(sql + ";");
    Path script = directory.resolve("pgbench-" + name.replaceAll("[^A-Za-z0-9]+", "-") + ".sql");
    Files.write(script, lines, StandardCharsets.UTF_8);
    return script;
  }
}
