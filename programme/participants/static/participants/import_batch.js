/* An import's page while the worker reads the file: asks the import's API address
   every two seconds and reloads the page once the import is done or failed (the page
   then shows the report or the reason). Without JavaScript the page reloads itself
   (a meta refresh in <noscript>). */
(function () {
  "use strict";
  var box = document.getElementById("import-state");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var waiting = { queued: true, running: true };
  if (!waiting[box.getAttribute("data-state")]) return;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (batch) {
        if (waiting[batch.state]) {
          window.setTimeout(poll, 2000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
