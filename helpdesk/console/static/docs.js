// Swagger UI for /docs (admins): the OpenAPI document of the JSON API, read with the
// admin's session cookie. Kept out of the page so the Content-Security-Policy holds.
window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.url,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
