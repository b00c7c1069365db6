/**
 * The order service as a process: {@link dev.orderservice.server.Main} reads the settings and runs
 * an {@link dev.orderservice.server.OrderServer}, the composition root that starts every part in
 * order and stops them in reverse.
 *
 * <p>Its parts, one package each:
 *
 * <ul>
 *   <li>{@code config}: the settings as read from flags and the environment ({@code ServerOptions},
 *       from the shared table of {@code order-settings}) and the value they make ({@code
 *       ServerConfig}); how log lines look ({@code LogFormat}).
 *   <li>{@code lifecycle}: starting and stopping: the ordered list of stops ({@code Lifecycle}),
 *       PostgreSQL and Kafka as configured or embedded ({@code BackingServices}), the migrations at
 *       start ({@code DatabaseStartup}), named daemon threads.
 *   <li>{@code http}: the HTTP API on Undertow: every route in one place ({@code HttpApi}), the
 *       order endpoints, health and metrics, the page, the contract and the docs, the bearer token,
 *       one exception-to-status map ({@code ErrorMapping}).
 *   <li>{@code feed}: the live feed: what the database announces as stored ({@code
 *       LiveFeedListener}), kept once for every client ({@code LiveOrders}) and served as
 *       Server-Sent Events ({@code LiveStream}) and long polls ({@code LivePolls}).
 * </ul>
 *
 * <p>Dependencies point one way: the root uses every part; {@code feed} uses {@code http}'s JSON
 * and query helpers; {@code lifecycle} uses {@code config}; none uses the root.
 */
package dev.orderservice.server;
