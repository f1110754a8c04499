// Small progressive enhancements for the staff admin; every page works without them.

// "Copy online booking URL": copy the readonly input named by data-copy, then say so.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) {
    return;
  }
  var id = button.getAttribute("data-copy");
  var source = document.getElementById(id);
  if (!source) {
    return;
  }
  var status = document.querySelector('[data-copy-status="' + id + '"]');
  var say = function (text) {
    if (status) {
      status.textContent = text;
    }
  };
  source.select();
  if (!navigator.clipboard) {
    say("Press Ctrl+C (⌘C on a Mac) to copy");
    return;
  }
  navigator.clipboard.writeText(source.value).then(
    function () {
      say("Copied");
      window.setTimeout(function () { say(""); }, 4000);
    },
    function () {
      say("Press Ctrl+C (⌘C on a Mac) to copy");
    }
  );
});

// Forms that undo something ask first: <form data-confirm="Cancel this booking?">.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
