/* studiobook embed: put on the studio's own page after the booking iframe(s).
   For every <iframe data-studiobook="<widget address>"> pointing at this script's site it loads
   the widget (once: the iframe has no src of its own) with the page's UTM parameters, a `source`
   (data-source, or the page's host) and the page's origin, and sets the iframe's height to the
   one the widget posts. Older snippets (src on the iframe, data-studiobook empty) still work, at
   the cost of a second load. No dependencies, no cookies. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.studiobookEmbed) return;
  window.studiobookEmbed = true;
  var widgetOrigin = new URL(script.src).origin;
  var page = new URL(window.location.href);
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
  var MAX_LENGTH = 100;

  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll("iframe[data-studiobook]"));
  }

  function prepare(frame) {
    var url;
    try {
      url = new URL(frame.getAttribute("data-studiobook") || frame.getAttribute("src"), page);
    } catch (error) {
      return;
    }
    if (url.origin !== widgetOrigin || frame.hasAttribute("data-studiobook-ready")) return;
    frame.setAttribute("data-studiobook-ready", "");
    UTM.forEach(function (key) {
      var value = page.searchParams.get(key);
      if (value && !url.searchParams.has(key)) url.searchParams.set(key, value.slice(0, MAX_LENGTH));
    });
    if (!url.searchParams.has("source")) {
      url.searchParams.set("source", (frame.getAttribute("data-source") || page.host).slice(0, MAX_LENGTH));
    }
    url.searchParams.set("embed_origin", page.origin);
    frame.src = url.href;
  }

  // Only our widget's pages may size the frame, and only the frame they are in.
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== widgetOrigin || !data || data.type !== "studiobook:height") return;
    if (typeof data.height !== "number" || !isFinite(data.height)) return;
    var height = Math.min(Math.max(Math.ceil(data.height), 150), 20000);
    frames().forEach(function (frame) {
      if (frame.contentWindow === event.source) frame.style.height = height + "px";
    });
  });

  function start() {
    frames().forEach(prepare);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
