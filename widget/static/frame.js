/* Inside a studio's iframe: tell the framing page (the origin the server trusts, from the
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
