/* studiobook widget: the one script every widget page loads (defer), after htmx.
   Three independent parts, each acting only where it applies:
   1. the CSRF token on every htmx request (the admin loads the same lines as csrf.js);
   2. the frame's height, posted only to the parent the server trusts (studiobook-parent meta);
   3. the slot picker's keyboard grid and focus, only on a page with a picker.
   Plain ES5, no build step: edit this file itself. */

// 1. Send the CSRF token with every htmx request (Flask-WTF reads X-CSRFToken).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});

/* 2. Inside a studio's iframe: tell the framing page (the origin the server trusts, from the
   studiobook-parent meta tag; never "*") how tall this page is, whenever that changes. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="studiobook-parent"]');
  if (!meta || window.parent === window || !window.ResizeObserver) return;
  var parentOrigin = meta.getAttribute("content");
  var sent = 0;

  function post() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage({ type: "studiobook:height", height: height }, parentOrigin);
  }

  new ResizeObserver(post).observe(document.documentElement);
  document.addEventListener("htmx:afterSettle", post);
  window.addEventListener("load", post);
  post();
})();

// 3. The slot picker's keyboard grid and focus after htmx swaps (WAI-ARIA date grid pattern).
// Without JavaScript every day with times is a link and every time a form; this only adds:
// arrow keys between days, Home/End for the week, PageUp/PageDown for the month, one tab stop
// in the grid (roving tabindex), focus on the day's heading after choosing a day, and a live
// region that reads what changed ("6 times on Tuesday, December 1").
(function () {
  "use strict";

  var KEYS = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
  var after = null; // what to focus and read once the swap settles

  function grid() {
    return document.querySelector("#month-grid table");
  }

  function days() {
    var table = grid();
    return table ? Array.prototype.slice.call(table.querySelectorAll("[data-date]")) : [];
  }

  function rove(target) {
    days().forEach(function (day) {
      day.tabIndex = day === target ? 0 : -1;
    });
  }

  function setUp() {
    var table = grid();
    if (!table) {
      return;
    }
    rove(
      table.querySelector("[data-date][aria-current='date']") ||
        table.querySelector("a[data-date]") ||
        days()[0]
    );
  }

  function shift(iso, count) {
    var day = new Date(iso + "T12:00:00Z");
    day.setUTCDate(day.getUTCDate() + count);
    return day.toISOString().slice(0, 10);
  }

  function shiftMonth(iso, count) {
    var parts = iso.split("-").map(Number);
    var last = new Date(Date.UTC(parts[0], parts[1] - 1 + count + 1, 0)).getUTCDate();
    var day = new Date(Date.UTC(parts[0], parts[1] - 1 + count, Math.min(parts[2], last)));
    return day.toISOString().slice(0, 10);
  }

  function focusDay(iso) {
    var all = days();
    if (!all.length) {
      return false;
    }
    var found = all.filter(function (day) {
      return day.dataset.date === iso;
    })[0];
    // PageDown from the 31st lands on the month's last day; past either end, on that end.
    if (!found) {
      found = iso < all[0].dataset.date ? all[0] : all[all.length - 1];
    }
    rove(found);
    found.focus();
    return true;
  }

  function target(event, iso) {
    var weekday = (new Date(iso + "T12:00:00Z").getUTCDay() + 6) % 7; // Monday first
    if (event.key in KEYS) {
      return shift(iso, KEYS[event.key]);
    }
    if (event.key === "Home") {
      return shift(iso, -weekday);
    }
    if (event.key === "End") {
      return shift(iso, 6 - weekday);
    }
    if (event.key === "PageUp" || event.key === "PageDown") {
      return shiftMonth(iso, event.key === "PageUp" ? -1 : 1);
    }
    return null;
  }

  document.addEventListener("keydown", function (event) {
    var day = event.target.closest && event.target.closest("#month-grid [data-date]");
    if (!day || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.key === " " && day.tagName === "A") {
      event.preventDefault();
      day.click();
      return;
    }
    var iso = target(event, day.dataset.date);
    if (!iso) {
      return;
    }
    event.preventDefault();
    var all = days();
    var inMonth = all.some(function (other) {
      return other.dataset.date.slice(0, 7) === iso.slice(0, 7);
    });
    // Home and End stay in the month (the first or last day when the week spans two months).
    if (inMonth || event.key === "Home" || event.key === "End") {
      focusDay(iso);
      return;
    }
    var arrow = document.getElementById(iso < day.dataset.date ? "month-previous" : "month-next");
    if (arrow) {
      after = { date: iso, read: "#month-grid" };
      arrow.click();
    }
  });

  function liveRegion() {
    var region = document.getElementById("picker-status");
    if (!region) {
      region = document.createElement("p");
      region.id = "picker-status";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      (document.getElementById("main") || document.body).appendChild(region);
    }
    return region;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (!element.closest || !element.closest("#slot-picker")) {
      return;
    }
    if (element.matches("a.day")) {
      // The answer is the day's times only: the month on screen marks the chosen day itself.
      after = { id: "day-heading", read: "#day-times", chosen: element };
    } else if (element.matches(".nav-arrow") && !after) {
      after = { id: element.id, read: "#month-grid" };
    }
  });

  function choose(day) {
    days().forEach(function (other) {
      if (other !== day) {
        other.removeAttribute("aria-current");
      }
    });
    day.setAttribute("aria-current", "date");
  }

  document.addEventListener("htmx:afterSettle", function () {
    if (after && after.chosen && document.contains(after.chosen)) {
      choose(after.chosen);
    }
    setUp();
    if (!after) {
      return;
    }
    var wanted = after;
    after = null;
    if (wanted.date) {
      focusDay(wanted.date);
    } else {
      // The back arrow disappears on the first month: then the month's name takes focus.
      var element = document.getElementById(wanted.id) || document.getElementById("month-label");
      if (element) {
        element.focus();
      }
    }
    var source = document.querySelector(wanted.read);
    var message = source ? source.getAttribute("data-announce") : "";
    if (message) {
      var region = liveRegion();
      region.textContent = "";
      // A fresh text node a moment later is read even when the message repeats.
      window.setTimeout(function () {
        region.textContent = message;
      }, 50);
    }
  });

  // The live region exists before anything changes (screen readers watch it from then on),
  // on pages that have a picker.
  function start() {
    setUp();
    if (document.getElementById("slot-picker")) {
      liveRegion();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
