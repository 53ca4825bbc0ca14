// The audit export's progress bar: asks the status address every two seconds while
// the export waits or runs, moves the bar, and reloads the page once it is done or
// failed (the page then lists the files and the download). Without JavaScript the
// page reloads itself (a meta refresh in <noscript>).
(function () {
  var box = document.getElementById("export-progress");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-bar");
  var percent = document.getElementById("export-percent");
  var state = document.getElementById("export-state-label");
  var labels = JSON.parse(document.getElementById("export-states").textContent);
  var running = { queued: true, running: true };
  if (!running[box.getAttribute("data-state")]) return;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (status) {
        bar.max = status.steps;
        bar.value = status.state === "done" ? status.steps : status.done;
        percent.textContent = status.percent;
        state.textContent = labels[status.state] || status.state;
        box.setAttribute("data-state", status.state);
        if (running[status.state]) {
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
