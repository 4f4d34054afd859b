// Accessibility fixes for components the project does not draw itself, applied as the page
// changes (Dash renders in the browser). Checked by tests/browser/test_accessibility.py (axe).
(function () {
  "use strict";

  function fix(root) {
    // Dash's dropdown puts its tab stop on a hidden, aria-hidden input that passes focus on to
    // the dropdown's button (and takes the stop back when the button loses focus). A focusable
    // element hidden from screen readers misleads them: the button itself takes the tab stop.
    root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (input) {
      input.tabIndex = -1;
      var button = input.nextElementSibling;
      if (button && button.tagName === "BUTTON" && !button.disabled) {
        button.tabIndex = 0;
      }
    });
    // The dropdown's button is named by its value alone (the count of choices first): name it
    // by its label, then what it shows, in the order shown.
    root.querySelectorAll("button.dash-dropdown[id]").forEach(function (button) {
      var id = button.id;
      var label = document.querySelector('label[for="' + id + '"]');
      var parts = [];
      if (label) {
        if (!label.id) label.id = id + "-label";
        parts.push(label.id);
      }
      [id + "-value", id + "-value-count"].forEach(function (part) {
        if (document.getElementById(part)) parts.push(part);
      });
      var named = parts.join(" ");
      if (named && button.getAttribute("aria-labelledby") !== named) {
        button.setAttribute("aria-labelledby", named);
      }
    });
    // A multiple dropdown's chosen values touch one another in its text ("Havn ReliefSolvang",
    // the commas between them being drawn by CSS): a space at the start of each value after
    // the first, and of the count, keeps the words apart for screen readers and voice control
    // (and collapses into the comma's space on screen).
    root.querySelectorAll(
      ".dash-dropdown-value-item + .dash-dropdown-value-item:not([data-spaced])," +
      ".dash-dropdown-value-count:not([data-spaced])"
    ).forEach(function (item) {
      item.setAttribute("data-spaced", "");
      item.insertBefore(document.createTextNode(" "), item.firstChild);
    });
    // dcc.Upload's file input has no label of its own: it takes its box's.
    root.querySelectorAll("input[type=file]:not([aria-label])").forEach(function (input) {
      var box = input.closest("[data-label]");
      input.setAttribute("aria-label", box ? box.getAttribute("data-label") : "Choose files");
    });
  }

  var pending = false;
  function soon() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      fix(document);
    });
  }
  new MutationObserver(soon).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  // the dropdown gives its hidden input the tab stop back on blur: take it again
  document.addEventListener("focusout", function () { window.setTimeout(soon, 0); }, true);
  document.addEventListener("DOMContentLoaded", soon);
})();
