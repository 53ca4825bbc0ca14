// Small, no framework. Forms that move money or sign something carry data-confirm:
// the browser asks before sending them. A button may carry its own (a form whose
// "save" needs no question and whose "submit" does).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = (button && button.getAttribute("data-confirm")) ||
    (event.target.getAttribute && event.target.getAttribute("data-confirm"));
  if (message && !window.confirm(message)) event.preventDefault();
});
