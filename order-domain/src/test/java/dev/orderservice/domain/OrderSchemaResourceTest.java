package dev.orderservice.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.dialect.DialectId;
import java.net.URL;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The order's JSON Schema ships in the order-domain jar, unchanged, and is a valid schema. */
class OrderSchemaResourceTest {

  @Test
  void theJarCarriesTheSchemaAsTheSameBytesAsTheRepositoryFile() throws Exception {
    URL resource = OrderCodec.class.getResource(OrderSchemaResource.CLASSPATH_NAME);
    URL mainClasses = OrderCodec.class.getProtectionDomain().getCodeSource().getLocation();

    assertThat(resource).as("%s on the classpath", OrderSchemaResource.CLASSPATH_NAME).isNotNull();
    // Beside the main classes, hence in the jar; a copy among the test resources would not ship.
    assertThat(resource.toString()).contains(mainClasses.getPath());
    assertThat(OrderSchemaResource.bytes())
        .isEqualTo(Files.readAllBytes(OrderSchemaResource.repositoryFile()));
  }

  @Test
  void theSchemaIsValidAgainstTheDraft2020MetaSchema() {
    // With format assertions on, this also checks that every pattern is a regular expression.
    Schema metaSchema =
        OrderSchemaResource.registry().getSchema(SchemaLocation.of(DialectId.DRAFT_2020_12));

    assertThat(
            metaSchema.validate(new String(OrderSchemaResource.bytes(), UTF_8), InputFormat.JSON))
        .isEmpty();
  }

  @Test
  void theSchemaDeclaresDraft2020AndTheContractsId() throws Exception {
    JsonNode schema = new ObjectMapper().readTree(OrderSchemaResource.bytes());

    assertThat(schema.path("$schema").asText()).isEqualTo(DialectId.DRAFT_2020_12);
    assertThat(schema.path("$id").asText())
        .isEqualTo("https://order-service.dev/schema/order.schema.json");
  }

  @Test
  void aBrokenSchemaFailsTheMetaSchemaCheck() {
    // Proves the check above can fail, i.e. that the meta-schema is really loaded and applied.
    Schema metaSchema =
        OrderSchemaResource.registry().getSchema(SchemaLocation.of(DialectId.DRAFT_2020_12));

    assertThat(metaSchema.validate("{\"type\": \"order\", \"pattern\": \"[\"}", InputFormat.JSON))
        .extracting(Object::toString)
        .anyMatch(error -> error.startsWith("/type:"))
        .anyMatch(error -> error.startsWith("/pattern:"));
  }
}
