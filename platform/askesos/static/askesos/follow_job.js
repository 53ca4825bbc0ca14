/* Following a job the worker runs (a participant import, an audit export): the page's
   box names the job's status address (data-status-url) and its state (data-state).
   While the job waits or runs, the address is asked every two seconds and each answer
   handed to the page (onStatus); once the job is done or failed, the page reloads and
   shows the outcome. Without JavaScript the page reloads itself (a meta refresh in
   <noscript>). */
window.askesosFollowJob = function (box, onStatus) {
  "use strict";
  var url = box.getAttribute("data-status-url");
  var waiting = { queued: true, running: true };
  if (!waiting[box.getAttribute("data-state")]) return;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (status) {
        if (onStatus) onStatus(status);
        box.setAttribute("data-state", status.state);
        if (waiting[status.state]) {
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
};
