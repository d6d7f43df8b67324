// Live attempts: poll the JSON feed and add new rows at the top. Data is set with textContent only.
(function () {
  "use strict";
  var table = document.getElementById("attempts");
  if (!table) return;
  var body = table.tBodies[0];
  var latest = parseInt(table.dataset.latest, 10) || 0;
  var status = document.getElementById("live-status");
  var empty = document.getElementById("empty");
  var columns = ["time", "child", "device", "app", "kind", "recipient", "amount", "decision", "reason"];
  var MAX_ROWS = 500;

  function cell(row, name, value, title, text) {
    var td = document.createElement("td");
    if (name === "decision") {
      var badge = document.createElement("span");
      badge.className = "badge " + (value === "allowed" ? "allowed" : "blocked");
      badge.textContent = text;
      td.appendChild(badge);
    } else {
      td.textContent = value;
    }
    if (name === "recipient") td.className = "recipient";
    if (name === "amount") td.className = "num";
    if (title) td.title = title;
    row.appendChild(td);
  }

  function add(attempt) {
    var tr = document.createElement("tr");
    tr.className = (attempt.decision === "allowed" ? "allowed" : "blocked") + " fresh";
    tr.dataset.id = String(attempt.id);
    columns.forEach(function (name) {
      cell(tr, name, String(attempt[name] == null ? "" : attempt[name]), name === "reason" ? attempt.explain : "",
        attempt.decision_text);
    });
    body.insertBefore(tr, body.firstChild);
  }

  function url() {
    var params = new URLSearchParams(window.location.search);
    params.set("after", String(latest));
    return table.dataset.feed + "?" + params.toString();
  }

  function poll() {
    fetch(url(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.redirected || r.status === 401 || r.status === 403) { window.location.reload(); throw new Error("logged out"); }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        data.attempts.slice().reverse().forEach(add);
        latest = Math.max(latest, data.latest || 0);
        while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
        if (empty && body.rows.length) empty.hidden = true;
        status.textContent = status.dataset.updated + " " + new Date().toLocaleTimeString();
      })
      .catch(function (e) { status.textContent = status.dataset.stopped + ": " + e.message; })
      .finally(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
})();
