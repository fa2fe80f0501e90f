// "Copy link" buttons: shown only when scripts run (the field stays
// selectable without them); a button copies the field it names, and says
// so for two seconds in the words of its data-copied attribute.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copy"));
  if (!field) return;
  button.hidden = false;
  var label = button.textContent;
  button.addEventListener("click", function () {
    field.focus();
    field.select();
    var done = function () {
      button.textContent = button.getAttribute("data-copied") || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
