// Starts Swagger UI on this server's OpenAPI document. A file of its own, not an inline script:
// the page's Content-Security-Policy allows scripts from this origin only. Runs after
// swagger-ui-bundle.js, as both are deferred and deferred scripts run in document order.
"use strict";

window.ui = SwaggerUIBundle({
  // Relative to the page (/docs), like the document's own $ref to schema/order.json.
  url: new URL("openapi.json", document.baseURI).href,
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  // No validator badge: it would send the document's address to validator.swagger.io.
  validatorUrl: null,
  defaultModelsExpandDepth: 0
});
