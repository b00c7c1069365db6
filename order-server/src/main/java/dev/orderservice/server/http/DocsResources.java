package dev.orderservice.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.PathTemplateMatch;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The API's documentation page: {@code GET /docs} is Swagger UI on {@code /openapi.json}, served
 * from this jar (Swagger UI's files from the {@code org.webjars:swagger-ui} jar, no CDN).
 *
 * <p>{@code GET /docs/{file}} serves a fixed list of files by name, nothing else: a name is a key
 * of a map, never part of a classpath path, so no request can reach another resource (the other
 * files of the webjar, such as its index page with an inline script, are not served either). Every
 * file is read once, at construction, and served as a {@link BundledFile}. Immutable and thread
 * safe.
 */
public final class DocsResources {

  /**
   * The lookup page's policy ({@link PageResources#CONTENT_SECURITY_POLICY}) with one relaxation,
   * {@code img-src data:}: swagger-ui.css draws Swagger UI's icons (the section arrows, the lock of
   * a secured operation, the copy button) as {@code data:image/svg+xml} background images, which
   * {@code img-src 'self'} blocks. Nothing else is relaxed. Scripts stay {@code 'self'}: Swagger UI
   * is started by docs-init.js, not by the webjar's inline script, and its bundle runs without
   * {@code eval} or inline handlers. Styles stay {@code 'self'}: the bundle sets its inline styles
   * through the DOM's style properties, which a policy does not govern. Requests stay {@code
   * 'self'}: the document, the order's schema and "Try it out" all go to this server. DocsPageTest
   * loads the page in Chromium, which reports every refused load or script, and expects none.
   */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self';"
          + " style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self';"
          + " base-uri 'none'; frame-ancestors 'none'";

  private static final String WEBJAR_VERSION =
      "META-INF/maven/org.webjars/swagger-ui/pom.properties";
  private static final String HTML = "text/html; charset=utf-8";
  private static final String JAVASCRIPT = "text/javascript; charset=utf-8";
  private static final String CSS = "text/css; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String PNG = "image/png";

  private final BundledFile page;
  private final Map<String, BundledFile> files;

  /**
   * @throws IllegalStateException if a file is missing from the classpath
   */
  public DocsResources(ClassLoader classLoader) {
    String swaggerUi = "META-INF/resources/webjars/swagger-ui/" + webjarVersion(classLoader) + "/";
    this.page = BundledFile.load(classLoader, "docs/index.html", HTML);
    this.files =
        Map.of(
            "docs-init.js",
            BundledFile.load(classLoader, "docs/docs-init.js", JAVASCRIPT),
            "docs.css",
            BundledFile.load(classLoader, "docs/docs.css", CSS),
            "swagger-ui-bundle.js",
            BundledFile.load(classLoader, swaggerUi + "swagger-ui-bundle.js", JAVASCRIPT),
            // The licences of what the bundle holds, which its first line points to.
            "swagger-ui-bundle.js.LICENSE.txt",
            BundledFile.load(classLoader, swaggerUi + "swagger-ui-bundle.js.LICENSE.txt", TEXT),
            "swagger-ui.css",
            BundledFile.load(classLoader, swaggerUi + "swagger-ui.css", CSS),
            "favicon-32x32.png",
            BundledFile.load(classLoader, swaggerUi + "favicon-32x32.png", PNG));
  }

  /** {@code GET /docs}. */
  void page(HttpServerExchange exchange) {
    serve(exchange, page);
  }

  /** {@code GET /docs/{file}}: one of the page's files, by name. */
  void file(HttpServerExchange exchange) {
    PathTemplateMatch match = exchange.getAttachment(PathTemplateMatch.ATTACHMENT_KEY);
    BundledFile file = match == null ? null : files.get(match.getParameters().get("file"));
    if (file == null) {
      throw ApiError.of(StatusCodes.NOT_FOUND, "no such file");
    }
    serve(exchange, file);
  }

  private static void serve(HttpServerExchange exchange, BundledFile file) {
    exchange.getResponseHeaders().put(Headers.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    file.serve(exchange);
  }

  /** The webjar's files sit under its version; its Maven metadata says which. */
  private static String webjarVersion(ClassLoader classLoader) {
    try (InputStream in = classLoader.getResourceAsStream(WEBJAR_VERSION)) {
      if (in == null) {
        throw new IllegalStateException(WEBJAR_VERSION + " is not on the classpath");
      }
      Properties properties = new Properties();
      properties.load(in);
      String version = properties.getProperty("version");
      if (version == null || version.isBlank()) {
        throw new IllegalStateException(WEBJAR_VERSION + " names no version");
      }
      return version.strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + WEBJAR_VERSION, e);
    }
  }
}
