// Buttons that need the browser: "Copy the link" (data-copy = id of the field to copy) and
// "Print" (data-print). Without JavaScript they stay hidden: the link can be selected in its
// field, and the browser's own Print (Ctrl+P) prints the page.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  var source = document.getElementById(button.dataset.copy);
  if (!source) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    source.select();
    var done = function () { button.textContent = button.dataset.done || button.textContent; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done);
    } else if (document.execCommand("copy")) {
      done();
    }
  });
});
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
