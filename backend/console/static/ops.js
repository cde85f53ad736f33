// Loans, trainings, broadcasts and dashboard pages: character counters with channel limits,
// the segment's reach before sending, and a broadcast's progress bar kept live by polling a
// small JSON endpoint. Every page works without this script (forms post normally).
"use strict";

function csrfToken(form) {
  const field = form.querySelector("input[name=csrf_token]");
  return field ? field.value : "";
}

function setupCounters() {
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    const box = document.getElementById(area.getAttribute("aria-describedby"));
    if (!box) { return; }
    let limits = {};
    try { limits = JSON.parse(box.dataset.limits || "{}"); } catch (e) { limits = {}; }
    function update() {
      const length = Array.from(area.value).length;  // characters, not UTF-16 units
      box.querySelector("[data-chars]").textContent = String(length);
      Object.keys(limits).forEach(function (name) {
        const slot = box.querySelector("[data-parts=" + name + "]");
        if (slot) { slot.textContent = String(Math.max(1, Math.ceil(length / limits[name]))); }
      });
      box.classList.toggle("over", length > Math.min.apply(null, Object.values(limits)));
    }
    area.addEventListener("input", update);
    update();
  });
}

function setupReach() {
  const button = document.getElementById("reach-button");
  const output = document.getElementById("reach");
  if (!button || !output) { return; }
  const form = button.form;
  async function count() {
    const data = new FormData(form);
    try {
      const response = await fetch(button.dataset.url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken(form), "Accept": "application/json" },
      });
      if (!response.ok) { return; }
      const found = await response.json();
      ["matching", "reachable", "skipped"].forEach(function (key) {
        output.querySelector("[data-reach=" + key + "]").textContent = String(found[key]);
      });
      output.hidden = false;
    } catch (e) {
      // offline for a moment: pressing the button again counts again
    }
  }
  button.addEventListener("click", count);
  form.querySelectorAll("[data-segment]").forEach(function (field) {
    field.addEventListener("change", count);
  });
}

function setupProgress() {
  const section = document.getElementById("live-progress");
  if (!section) { return; }
  const status = document.getElementById("broadcast-status");
  async function poll() {
    let finished = false;
    let waiting = false;
    try {
      const response = await fetch(section.dataset.url, {
        credentials: "same-origin", headers: { "Accept": "application/json" },
      });
      if (response.status === 401) { window.location.assign("/console/login"); return; }
      if (response.ok) {
        const data = await response.json();
        section.querySelectorAll("[data-count]").forEach(function (slot) {
          slot.textContent = String(data[slot.dataset.count]);
        });
        const bar = section.querySelector("progress");
        if (bar) { bar.value = data.percent; bar.textContent = data.percent + " %"; }
        const label = status && status.dataset["label" + data.status.charAt(0).toUpperCase() + data.status.slice(1)];
        if (label) { status.textContent = label; }
        finished = data.finished;
        waiting = data.waiting === true;
        if (finished) {
          const cancel = document.getElementById("cancel-form");
          if (cancel) { cancel.hidden = true; }
        }
      }
    } catch (e) {
      // the connection dropped: try again at the next beat
    }
    // A broadcast waiting for its time is looked at less often than one being sent.
    if (!finished) { window.setTimeout(poll, waiting ? 10000 : 1500); }
  }
  window.setTimeout(poll, 1000);
}

document.addEventListener("DOMContentLoaded", function () {
  setupCounters();
  setupReach();
  setupProgress();
});
