// Small, no framework. Forms that move money or sign something carry data-confirm:
// the browser asks before sending them.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
