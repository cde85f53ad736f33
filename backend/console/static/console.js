// The console's little script: live inbox and case via Server-Sent Events, canned-reply
// preview, language switch on change. Pages work without it (forms post normally).
"use strict";

function liveStream(url, onEvent, status) {
  // EventSource reconnects by itself and sends Last-Event-ID: the server replays what we missed.
  const source = new EventSource(url);
  const kinds = ["case", "message", "assign", "status", "note"];
  kinds.forEach(function (kind) {
    source.addEventListener(kind, function (event) {
      let data = {};
      try { data = JSON.parse(event.data); } catch (e) { data = {}; }
      onEvent(kind, data);
    });
  });
  source.addEventListener("signed-out", function () {
    source.close();
    window.location.assign("/console/login?next=" + encodeURIComponent(window.location.pathname));
  });
  source.addEventListener("open", function () {
    if (status) { status.textContent = status.dataset.connected || ""; }
    onEvent("open", {});
  });
  source.addEventListener("error", function () {
    if (status) { status.textContent = status.dataset.lost || ""; }
  });
  return source;
}

function refresher(url, target) {
  // One fetch at a time; an event during a fetch asks for one more afterwards.
  let running = false;
  let again = false;
  async function run() {
    if (running) { again = true; return; }
    running = true;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (response.redirected || response.status === 401) {
        window.location.assign("/console/login");
        return;
      }
      if (response.ok) { target.innerHTML = await response.text(); }
    } catch (e) {
      // offline for a moment: the next event or reconnection refreshes again
    } finally {
      running = false;
      if (again) { again = false; run(); }
    }
  }
  return run;
}

function setupInbox() {
  const table = document.getElementById("inbox");
  if (!table) { return; }
  const rows = document.getElementById("inbox-rows");
  const refresh = refresher(table.dataset.rows, rows);
  let first = true;
  liveStream(table.dataset.events, function (kind) {
    if (kind === "open" && first) { first = false; return; }
    refresh();
  }, document.getElementById("live-status"));
  const filters = document.getElementById("inbox-filters");
  if (filters) {
    filters.querySelectorAll("input[type=radio], select").forEach(function (control) {
      control.addEventListener("change", function () { filters.requestSubmit(); });
    });
  }
}

function setupCase() {
  const list = document.getElementById("conversation");
  if (!list) { return; }
  const caseId = Number(list.dataset.case);
  const refresh = refresher(list.dataset.refresh, list);
  let first = true;
  liveStream(list.dataset.events, function (kind, data) {
    if (kind === "open") { if (!first) { refresh(); } first = false; return; }
    if (data.case === caseId) { refresh(); }
  }, null);
}

function setupCanned() {
  const select = document.getElementById("canned");
  const preview = document.getElementById("canned-preview");
  if (!select || !preview) { return; }
  const show = function () {
    const option = select.options[select.selectedIndex];
    preview.textContent = option ? (option.dataset.text || "") : "";
  };
  select.addEventListener("change", show);
  show();
}

function setupAutosubmit() {
  document.querySelectorAll("select.autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });
  document.documentElement.classList.add("js");
}

document.addEventListener("DOMContentLoaded", function () {
  setupAutosubmit();
  setupInbox();
  setupCase();
  setupCanned();
});
