package dev.orderservice.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderservice.domain.OrderStoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class MigrationsTest {

  @Test
  void migratingAnEmptyDatabaseCreatesTheFourTables() throws Exception {
    try (TestSchema schema = TestSchema.fresh("migrate")) {
      // V1 (the tables) and V2 (the canonical JSON column).
      assertThat(Migrations.migrate(schema.dataSource())).isEqualTo(2);

      assertThat(tables(schema)).contains("orders", "delivery", "payment", "items");
      for (String table : List.of("orders", "delivery", "payment", "items")) {
        assertThat(schema.rows(table)).as(table).isZero();
      }
    }
  }

  @Test
  void migratingAnUpToDateDatabaseAppliesNothing() {
    try (TestSchema schema = TestSchema.fresh("remigrate")) {
      Migrations.migrate(schema.dataSource());

      assertThat(Migrations.migrate(schema.dataSource())).isZero();
    }
  }

  @Test
  void migratingAnUnreachableDatabaseIsATransientFailure() {
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setURL("jdbc:postgresql://127.0.0.1:1/orders?connectTimeout=2");

    assertThatThrownBy(() -> Migrations.migrate(nowhere))
        .isInstanceOfSatisfying(
            OrderStoreException.class, e -> assertThat(e.isTransient()).isTrue())
        .hasMessageStartingWith("could not migrate the database schema");
  }

  private static List<String> tables(TestSchema schema) throws Exception {
    List<String> tables = new ArrayList<>();
    try (Connection c = schema.dataSource().getConnection();
        ResultSet r = c.getMetaData().getTables(null, schema.name(), "%", new String[] {"TABLE"})) {
      while (r.next()) {
        tables.add(r.getString("TABLE_NAME"));
      }
    }
    return tables;
  }
}
