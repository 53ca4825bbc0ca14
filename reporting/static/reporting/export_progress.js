// The audit export's progress bar: follows the export's status address
// (askesos/follow_job.js), moves the bar with each answer, and reloads the page once
// the export is done or failed (the page then lists the files and the download).
(function () {
  var box = document.getElementById("export-progress");
  if (!box) return;
  var bar = document.getElementById("export-bar");
  var percent = document.getElementById("export-percent");
  var state = document.getElementById("export-state-label");
  var labels = JSON.parse(document.getElementById("export-states").textContent);
  window.askesosFollowJob(box, function (status) {
    bar.max = status.steps;
    bar.value = status.state === "done" ? status.steps : status.done;
    percent.textContent = status.percent;
    state.textContent = labels[status.state] || status.state;
  });
})();
