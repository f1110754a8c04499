// Mail wording: a click on a placeholder puts it where the cursor was in the subject or text;
// after "Preview" the HTML version loads in its sandboxed frame. The page works without this.

(function () {
  var lastField = null;

  document.addEventListener("focusin", function (event) {
    if (event.target.closest(".mail-editor") && event.target.matches("#subject, #body")) {
      lastField = event.target;
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-placeholder]");
    if (!button) {
      return;
    }
    var field = lastField && document.body.contains(lastField) ? lastField : document.getElementById("body");
    if (!field) {
      return;
    }
    var text = "{{ " + button.getAttribute("data-placeholder") + " }}";
    var start = field.selectionStart, end = field.selectionEnd;
    field.setRangeText(text, start, end, "end");
    field.focus();
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // The frame shows what the hidden form posts: send it once the preview is on the page.
  function loadFrames(root) {
    root.querySelectorAll("form[data-autosubmit]:not([data-sent])").forEach(function (form) {
      form.setAttribute("data-sent", "");
      form.hidden = true;
      form.submit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { loadFrames(document); });
  document.addEventListener("htmx:load", function (event) { loadFrames(event.detail.elt); });
})();
