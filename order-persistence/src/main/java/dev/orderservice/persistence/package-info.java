/**
 * Orders in PostgreSQL: {@link dev.orderservice.persistence.PostgresOrderStore}, the domain's
 * {@code OrderStore} on jOOQ; {@link dev.orderservice.persistence.OrderDatabase}, which makes the
 * connection pool; and {@link dev.orderservice.persistence.Migrations}, which applies the schema.
 *
 * <p>A runner calls, in this order: {@code OrderDatabase.pool(...)} (the pool is its own, to close
 * at the end), {@code Migrations.migrate(pool)}, {@code new PostgresOrderStore(pool)}. The schema
 * comes from the {@code db} module's Flyway SQL, which is also what the jOOQ classes in {@code
 * dev.orderservice.persistence.jooq} are generated from at build time; they are an implementation
 * detail.
 */
package dev.orderservice.persistence;
