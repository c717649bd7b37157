// Starts the vendored Swagger UI on /api/v1/docs (eiphub/web/templates/api/docs.html).
// Kept in a static file so the page needs no inline script under the nonce CSP.
(function () {
  "use strict";
  function start() {
    var config = JSON.parse(document.getElementById("swagger-settings").textContent);
    var csrf = document.body.dataset.csrfToken;
    config.dom_id = "#swagger-ui";
    config.presets = [window.SwaggerUIBundle.presets.apis];
    if (csrf) {
      // Session-authenticated "Try it out" calls need Django's CSRF header.
      config.requestInterceptor = function (request) {
        request.headers["X-CSRFToken"] = csrf;
        return request;
      };
    }
    window.SwaggerUIBundle(config);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
