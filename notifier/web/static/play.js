// /play: ask /api/play as the rule is typed (debounced) and show the matches (text only).
"use strict";
(function () {
  var form = document.getElementById("play");
  var box = document.getElementById("q");
  var days = document.getElementById("days");
  var out = document.getElementById("results");
  if (!form || !box || !days || !out) return;
  var timer = null;
  var asked = 0;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function marked(parent, text, spans) {
    var pos = 0;
    (spans || []).slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (s) {
      var start = Math.max(s[0], pos), end = s[1];
      if (start >= end) return;
      if (start > pos) parent.appendChild(document.createTextNode(text.slice(pos, start)));
      parent.appendChild(el("mark", "", text.slice(start, end)));
      pos = end;
    });
    if (pos < text.length) parent.appendChild(document.createTextNode(text.slice(pos)));
  }
  function spansOf(m, field) {
    return m.hits.filter(function (h) { return h.field === field && h.role !== "none"; })
      .map(function (h) { return [h.start, h.end]; });
  }
  function show(data, status) {
    out.textContent = "";
    if (status !== 200) {
      out.appendChild(el("p", "error", data.error || "error"));
      out.firstChild.id = "error";
      return;
    }
    var counts = el("p", "counts", data.total + " " + out.dataset.matches + ", " +
      data.considered + " " + out.dataset.considered + " (" + data.first + " – " + data.last + ")");
    counts.id = "counts";
    out.appendChild(counts);
    if (!data.matches.length) out.appendChild(el("p", "empty", out.dataset.none));
    var list = el("ol", "matches");
    data.matches.forEach(function (m) {
      var li = el("li", "story");
      var head = el("div", "headline");
      var url = m.url || "";
      var target = head;
      if (/^https?:\/\//i.test(url)) {
        target = el("a");
        target.href = url;
        target.rel = "noopener noreferrer";
        head.appendChild(target);
      }
      marked(target, m.item.title, spansOf(m, "title"));
      li.appendChild(head);
      var meta = el("div", "meta");
      meta.appendChild(el("span", "score", m.score.toFixed(2)));
      var word = m.heat === 1 ? out.dataset.source : out.dataset.sources;
      meta.appendChild(el("span", "heat", m.heat + " " + word));
      meta.appendChild(el("span", "source", m.item.source));
      meta.appendChild(el("span", "date", m.date));
      li.appendChild(meta);
      li.appendChild(el("pre", "explain", m.explain.join("\n")));
      list.appendChild(li);
    });
    out.appendChild(list);
  }
  function ask() {
    var n = ++asked;
    var params = new URLSearchParams({ q: box.value, days: days.value || "7" });
    fetch("/api/play?" + params.toString(), { credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (d) { return [r.status, d]; }); })
      .then(function (res) { if (n === asked) show(res[1], res[0]); })
      .catch(function () {});
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  }
  box.addEventListener("input", later);
  days.addEventListener("input", later);
})();
