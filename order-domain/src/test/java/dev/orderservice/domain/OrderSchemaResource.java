package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The order's JSON Schema as the jar ships it ({@code schema/order.schema.json} on the classpath),
 * and the repository file it is copied from.
 */
final class OrderSchemaResource {

  static final String CLASSPATH_NAME = "/schema/order.schema.json";

  private OrderSchemaResource() {}

  /** {@code schema/order.schema.json} at the repository root, where producers find it. */
  static Path repositoryFile() {
    // Surefire runs in the module's directory; the schema sits beside the modules.
    Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    return module.resolve("../schema/order.schema.json").normalize();
  }

  static byte[] bytes() {
    try (InputStream in = OrderSchemaResource.class.getResourceAsStream(CLASSPATH_NAME)) {
      if (in == null) {
        throw new IllegalStateException(CLASSPATH_NAME + " is not on the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A registry for draft 2020-12 that asserts {@code format}. Since 2019-09 {@code format} is only
   * an annotation by default; some producers' validators assert it, so a {@code format} added to
   * the schema must be checked as they would check it.
   */
  static SchemaRegistry registry() {
    return SchemaRegistry.withDefaultDialect(
        SpecificationVersion.DRAFT_2020_12,
        builder ->
            builder.schemaRegistryConfig(
                SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
  }

  /** The order's schema, loaded from the classpath as a client of the jar would load it. */
  static Schema schema() {
    return registry().getSchema(new String(bytes(), UTF_8));
  }
}
