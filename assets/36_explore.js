// The indicator explorer (/explore: dashboard/web/pages/explore.py). Its organisations,
// projects and countries are its lines, chosen in its own search box, so the frame's place
// filters, its summary of them and its drill-down path are hidden there (the body is marked
// from the start, so that nothing moves as the page arrives). Its table sorts by the column
// whose head is pressed; the chart shown full screen ("Present": clientside.explore in
// 15_clientside.js) is left with Esc.
(function () {
  "use strict";

  function mark() {
    if (!document.body) return;
    var here = /\/explore\/?$/.test(window.location.pathname);
    document.body.classList.toggle("exploring", here);
    if (!here) document.body.classList.remove("ex-presenting"); // (left while presenting)
  }
  new MutationObserver(mark).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", mark);
  mark();

  // A table's rows sorted by a column: numbers as numbers (the cell's data-sort), blanks
  // last; pressed again, the other way round.
  function sortBy(button) {
    var th = button.closest("th");
    var table = button.closest("table");
    if (!th || !table || !table.tBodies.length) return;
    var column = parseInt(button.getAttribute("data-column"), 10);
    var descending = th.getAttribute("aria-sort") !== "descending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      cell.setAttribute("aria-sort", "none");
    });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    function key(row) {
      var cell = row.cells[column];
      return cell ? cell.getAttribute("data-sort") || "" : "";
    }
    rows.sort(function (a, b) {
      var x = key(a);
      var y = key(b);
      if (x === "" || y === "") return (x === "") - (y === "");
      var nx = parseFloat(x);
      var ny = parseFloat(y);
      var order = !isNaN(nx) && !isNaN(ny) && column > 0 ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.ex-sort");
    if (button) sortBy(button);
  });

  // The chart full screen (the browser's full screen where it allows it; the card over the
  // whole window in any case), left with Esc or the button.
  function leave() {
    document.body.classList.remove("ex-presenting");
    window.dispatchEvent(new Event("resize"));
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.body.classList.contains("ex-presenting")) leave();
  });
  document.addEventListener("fullscreenchange", function () {
    if (!document.fullscreenElement) leave();
  });
})();
