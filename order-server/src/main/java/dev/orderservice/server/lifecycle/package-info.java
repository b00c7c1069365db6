/**
 * Starting and stopping the server's parts. {@link dev.orderservice.server.lifecycle.Lifecycle} is
 * the ordered list of stops: each part registers its stop as it starts, and shutdown runs them in
 * reverse within one time budget. {@link dev.orderservice.server.lifecycle.BackingServices} is
 * PostgreSQL and Kafka as configured, or embedded ones started here when none is configured; {@link
 * dev.orderservice.server.lifecycle.DatabaseStartup} migrates the schema, waiting for a database
 * that is still starting; {@link dev.orderservice.server.lifecycle.RetentionSchedule} runs the
 * retention of personal data once the schema is migrated, then hourly.
 */
package dev.orderservice.server.lifecycle;
