/* The booking handed off from a frame that keeps no cookies (widget.handoff).
   In the new window's confirmation: tell the frame that opened it (our own origin) that the
   booking is done. In the frame: say so, instead of offering the new window again. */
(function () {
  "use strict";
  var MESSAGE = "studiobook:booked";

  if (document.querySelector("[data-handoff-booked]")) {
    try {
      if (window.opener && !window.opener.closed) {
        window.opener.postMessage({ type: MESSAGE }, window.location.origin);
      }
    } catch (error) {
      /* the opener went elsewhere: nothing to tell */
    }
  }

  var waiting = document.querySelector("[data-handoff-wait]");
  if (!waiting) return;
  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin || !event.data || event.data.type !== MESSAGE) return;
    var done = document.getElementById("handoff-done");
    if (!done.hidden) return;
    document.getElementById("handoff-heading").textContent = "You’re booked!";
    Array.prototype.forEach.call(document.querySelectorAll("[data-handoff-offer]"), function (part) {
      part.hidden = true;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-handoff-done]"), function (part) {
      part.hidden = false;
    });
    done.hidden = false;
    done.textContent = "Your confirmation is in the other window, where you can also see My bookings.";
  });
})();
