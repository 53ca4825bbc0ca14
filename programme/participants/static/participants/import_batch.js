/* An import's page while the worker reads the file: follows the import's API address
   (askesos/follow_job.js) and reloads the page once the import is done or failed (the
   page then shows the report or the reason). */
(function () {
  "use strict";
  var box = document.getElementById("import-state");
  if (box) window.askesosFollowJob(box);
})();
