/**
 * Orders in PostgreSQL: {@link dev.orderservice.persistence.PostgresOrderStore}, the domain's
 * {@code OrderStore} and {@code RecentOrders} on jOOQ; {@link
 * dev.orderservice.persistence.PostgresOrderSearch}, its {@code OrderSearch}; {@link
 * dev.orderservice.persistence.OrderTables}, the bulk {@code COPY} of orders with the store's
 * columns; {@link dev.orderservice.persistence.OrderDatabase}, which makes the connection pool;
 * {@link dev.orderservice.persistence.Migrations}, which applies the schema; and {@link
 * dev.orderservice.persistence.StoredOrdersListener}, which hears of every order any instance
 * stores, from the {@code NOTIFY} that {@code saveAll} sends when it commits. Personal data: {@link
 * dev.orderservice.persistence.OrderErasure}, {@link dev.orderservice.persistence.CustomerExport},
 * {@link dev.orderservice.persistence.OrderRetention} (old orders anonymized or deleted, one
 * instance at a time) and the {@link dev.orderservice.persistence.AuditLog} of all three.
 *
 * <p>A runner calls, in this order: {@code OrderDatabase.pool(...)} (the pool is its own, to close
 * at the end), {@code Migrations.migrate(pool)}, {@code new PostgresOrderStore(pool)} (and {@code
 * new PostgresOrderSearch(pool)} to search), and, for a live feed, {@code
 * StoredOrdersListener.start(...)} on a connection of its own (closed at the end, before the pool).
 * The schema comes from the {@code db} module's Flyway SQL, which is also what the jOOQ classes in
 * {@code dev.orderservice.persistence.jooq} are generated from at build time; they are an
 * implementation detail.
 */
package dev.orderservice.persistence;
