/* Panjereh progressive enhancement (static file: CSP script-src 'self'). Everything works without it. */
(function () {
  "use strict";

  // Persian and Arabic letters compare equal; case and ZWNJ do not matter.
  function fold(text) {
    return (text || "").toLowerCase()
      .replace(/[\u064a\u0649]/g, "\u06cc").replace(/\u0643/g, "\u06a9")
      .replace(/[\u0623\u0625\u0622]/g, "\u0627").replace(/\u0629/g, "\u0647")
      .replace(/[\u200c\u200f\u064b-\u065f]/g, "").replace(/\s+/g, " ").trim();
  }

  // Long facet lists: show a type-to-filter box. Selected values are never hidden.
  function enhanceFacet(facet) {
    var box = facet.querySelector(".facet-filter");
    var input = box && box.querySelector("input");
    var list = facet.querySelector(".facet-values");
    var status = box && box.querySelector(".facet-filter-status");
    if (!box || !input || !list) return;
    box.hidden = false;
    var empty = document.createElement("p");
    empty.className = "facet-empty";
    empty.hidden = true;
    empty.textContent = "موردی پیدا نشد.";
    list.parentNode.insertBefore(empty, list.nextSibling);
    var timer = null;
    input.addEventListener("input", function () {
      var needle = fold(input.value);
      var shown = 0;
      Array.prototype.forEach.call(list.children, function (li) {
        var label = li.querySelector(".label");
        var match = !needle || li.classList.contains("selected") || fold(label && label.textContent).indexOf(needle) !== -1;
        li.hidden = !match;
        if (match) shown += 1;
      });
      empty.hidden = shown !== 0;
      clearTimeout(timer);
      timer = setTimeout(function () { if (status) status.textContent = shown + " مورد"; }, 400);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && input.value) { input.value = ""; input.dispatchEvent(new Event("input")); event.preventDefault(); }
      if (event.key === "Enter") { // Enter picks the first visible value
        event.preventDefault();
        var first = list.querySelector("li:not([hidden]):not(.selected) a") || list.querySelector("li:not([hidden]) a");
        if (first) first.click();
      }
    });
  }

  // Feedback comment: characters left.
  function enhanceComment(textarea) {
    var counter = document.querySelector(".comment-count");
    var max = parseInt(textarea.getAttribute("maxlength"), 10) || 500;
    if (!counter) return;
    var update = function () { counter.textContent = (max - textarea.value.length) + " نویسه باقی مانده"; };
    textarea.addEventListener("input", update);
    update();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".facet[data-filterable]"), enhanceFacet);
    var comment = document.getElementById("comment");
    if (comment) enhanceComment(comment);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
