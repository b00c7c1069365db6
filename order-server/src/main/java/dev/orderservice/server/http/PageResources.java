package dev.orderservice.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.MimeMappings;

/**
 * The lookup page: {@code GET /} serves {@code web/index.html} and {@code GET /assets/*} the files
 * under {@code web/assets/}, both from the classpath (inside the jar), with a Content Security
 * Policy that allows only this origin's scripts, styles and requests. Undertow's {@link
 * ResourceHandler} canonicalises the path, so {@code ..} cannot leave {@code web/}; it serves ETag
 * and Last-Modified and reads the resource on a worker. Thread safe.
 */
public final class PageResources {

  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self';"
          + " style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self';"
          + " base-uri 'none'; frame-ancestors 'none'";

  private final ResourceHandler resources;

  public PageResources(ClassLoader classLoader) {
    MimeMappings types =
        MimeMappings.builder(true)
            .addMapping("html", "text/html; charset=utf-8")
            .addMapping("js", "text/javascript; charset=utf-8")
            .addMapping("css", "text/css; charset=utf-8")
            .build();
    this.resources =
        new ResourceHandler(new ClassPathResourceManager(classLoader, "web/"))
            .setMimeMappings(types)
            .setDirectoryListingEnabled(false)
            .setWelcomeFiles();
  }

  /** {@code GET /}. */
  void index(HttpServerExchange exchange) throws Exception {
    exchange.setRelativePath("/index.html");
    serve(exchange);
  }

  /** {@code GET /assets/*}. */
  void asset(HttpServerExchange exchange) throws Exception {
    serve(exchange);
  }

  private void serve(HttpServerExchange exchange) throws Exception {
    exchange.getResponseHeaders().put(Headers.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    resources.handleRequest(exchange);
  }
}
