// /status: refresh the tables from /api/status every 5 s (text only, never HTML).
"use strict";
(function () {
  function cell(key, value, never) {
    if (value === null || value === undefined) {
      return /^last_(sent_at|read)$/.test(key) ? never : "";
    }
    if (/_at$|^last_read$/.test(key) && typeof value === "number") {
      return new Date(value * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
    }
    return String(value);
  }
  function fill(id, rows) {
    var table = document.getElementById(id);
    if (!table || !Array.isArray(rows)) return;
    var keys = (table.getAttribute("data-keys") || "").split(" ");
    var body = document.createElement("tbody");
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      keys.forEach(function (key) {
        var td = document.createElement("td");
        td.textContent = cell(key, row[key], table.getAttribute("data-never") || "");
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    if (!rows.length) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      tr.className = "empty";
      td.colSpan = keys.length;
      td.textContent = table.getAttribute("data-empty") || "";
      tr.appendChild(td);
      body.appendChild(tr);
    }
    table.replaceChild(body, table.tBodies[0]);
  }
  function refresh() {
    fetch("/api/status" + window.location.search, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        var queue = document.getElementById("queue");
        if (queue) {
          queue.textContent = Object.keys(s.queue).map(function (k) {
            return k + " " + s.queue[k];
          }).join("  ");
        }
        fill("targets", s.targets);
        fill("workers", s.workers);
        fill("sources", s.sources);
        fill("quarantined", s.quarantined);
        document.body.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () {});
  }
  setInterval(refresh, 5000);
})();
