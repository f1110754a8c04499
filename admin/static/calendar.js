// The staff calendar's small enhancements; the calendar and its panel work without them.

// A new slot's duration follows the first session type chosen (its data-minutes), until staff
// type a duration themselves.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-minutes]")) {
    return;
  }
  var duration = box.form && box.form.querySelector('input[name="duration_minutes"]');
  if (!duration || duration.hasAttribute("data-typed")) {
    return;
  }
  var source = duration.getAttribute("data-from");
  var current = source && box.form.querySelector('input[data-minutes][value="' + source + '"]');
  if (current && current.checked) {
    return;
  }
  var first = box.checked ? box : box.form.querySelector("input[data-minutes]:checked");
  duration.value = first ? first.getAttribute("data-minutes") : "";
  duration.setAttribute("data-from", first ? first.value : "");
});

document.addEventListener("input", function (event) {
  if (event.target.name === "duration_minutes") {
    event.target.setAttribute("data-typed", "");
  }
});

// The slot whose panel is open stands out on the calendar.
document.addEventListener("click", function (event) {
  var slot = event.target.closest && event.target.closest("a.slot");
  if (!slot) {
    return;
  }
  document.querySelectorAll("a.slot.is-selected").forEach(function (other) {
    other.classList.remove("is-selected");
    other.removeAttribute("aria-current");
  });
  slot.classList.add("is-selected");
  slot.setAttribute("aria-current", "true");
});
