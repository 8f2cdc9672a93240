// Starts Swagger UI (from the swagger-ui-bundle package) on crmkit's OpenAPI document.
// Calls made from the page use the browser's session, so writes carry its CSRF token.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  var csrf = root.dataset.csrf;
  window.SwaggerUIBundle({
    url: root.dataset.spec,
    dom_id: "#swagger-ui",
    validatorUrl: null,  // no badge fetched from validator.swagger.io: the CSP allows only us
    requestInterceptor: function (request) {
      if (csrf) { request.headers["X-CSRFToken"] = csrf; }
      return request;
    },
  });
});
