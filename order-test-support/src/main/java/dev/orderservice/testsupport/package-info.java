/**
 * What the modules' tests share, at test scope only: one PostgreSQL and one Kafka broker per test
 * JVM ({@link dev.orderservice.testsupport.SharedPostgres}, {@link
 * dev.orderservice.testsupport.SharedKafka}; {@code TEST_DB_DSN} names an external PostgreSQL
 * instead), a schema of its own per test ({@link dev.orderservice.testsupport.SharedDatabase},
 * {@link dev.orderservice.testsupport.IsolatedSchema}), topics and consumer groups ({@link
 * dev.orderservice.testsupport.TestBroker}, {@link dev.orderservice.testsupport.TestTopics}) and
 * tasks run on threads of their own ({@link dev.orderservice.testsupport.RunningTasks}). For the
 * tests against secured Kafka: a second broker whose client listeners are SASL_SSL and mutual TLS
 * ({@link dev.orderservice.testsupport.SecuredKafka}, certificates by {@link
 * dev.orderservice.testsupport.TestCertificates}) and the README's client settings ({@link
 * dev.orderservice.testsupport.KafkaClientExamples}).
 *
 * <p>The module sits below order-persistence and order-ingest, whose tests use it, so it knows
 * neither: a test hands in its pool factory ({@code OrderDatabase::pool}), its migration ({@code
 * Migrations::migrate}) and the DSN parser ({@code PostgresDsn::toJdbcUrl}). The servers start on
 * first use and stop when the JVM exits; nothing here is closed by a test but the schemas and the
 * running tasks it made.
 */
package dev.orderservice.testsupport;
