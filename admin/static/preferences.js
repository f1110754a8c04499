// Online booking preferences: colour pickers that follow the hex boxes, and the preview's refresh.
// Copy buttons (data-copy) are handled by admin.js on every admin page. Every tab works without this.

(function () {
  var HEX = /^#[0-9a-fA-F]{6}$/;

  // Each <input type="color" data-colour-for="ID"> mirrors the text box ID (the one submitted):
  // picking fills the box, typing a full hex colour moves the picker. Shown only with JavaScript.
  document.querySelectorAll("[data-colour-for]").forEach(function (picker) {
    var box = document.getElementById(picker.getAttribute("data-colour-for"));
    if (!box) {
      return;
    }
    var follow = function () {
      if (HEX.test(box.value.trim())) {
        picker.value = box.value.trim().toLowerCase();
      }
    };
    follow();
    picker.hidden = false;
    picker.addEventListener("input", function () {
      box.value = picker.value.toLowerCase();
    });
    box.addEventListener("input", follow);
  });

  // "Refresh preview": reload the widget preview frame named by data-refresh.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-refresh]");
    if (!button) {
      return;
    }
    var frame = document.getElementById(button.getAttribute("data-refresh"));
    if (frame) {
      frame.src = frame.src;
    }
  });
})();
