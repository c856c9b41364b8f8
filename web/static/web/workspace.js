// Free places in one tap, on a bad connection: each tap gets an idempotency key and waits in a queue
// (localStorage, so a reload keeps it) until the server has it; offline, taps wait and go when back online.
// The count shown moves at once; the server's answer then sets it. Without JavaScript the forms post as usual.

const QUEUE = "capacity-taps";
const texts = JSON.parse(document.getElementById("texts")?.textContent || "{}");
const status = document.getElementById("taps-status");

function t(key, values = {}) {
  return (texts[key] || key).replace(/%\((\w+)\)s/g, (_, name) => values[name] ?? "");
}

const pending = () => JSON.parse(localStorage.getItem(QUEUE) || "[]");
const keep = (taps) => localStorage.setItem(QUEUE, JSON.stringify(taps));
const token = () => document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";

function countOf(unit) {
  return document.querySelector(`#unit-${CSS.escape(unit)} .count`);
}

function show(unit, available) {
  const count = countOf(unit);
  if (!count) return;
  count.lastChild.textContent = String(available);
  const minus = document.querySelector(`#unit-${CSS.escape(unit)} .stepper form:first-child button`);
  if (minus) minus.disabled = available === 0; // the first form of a stepper removes a place
}

let flushing = false;

async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    for (;;) {
      const [tap] = pending();
      if (!tap) {
        break;
      }
      let response;
      try {
        const body = new URLSearchParams({ unit: tap.unit, change: tap.change, key: tap.key, csrfmiddlewaretoken: token() });
        response = await fetch(tap.url, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
      } catch {
        status.textContent = t("tapQueued", { count: pending().length });
        return; // offline: the taps wait for the "online" event
      }
      if (response.status >= 500) {
        status.textContent = t("tapQueued", { count: pending().length });
        return;
      }
      const answer = await response.json().catch(() => ({}));
      const left = pending().filter((each) => each.key !== tap.key);
      keep(left);
      if (answer.available !== undefined) {
        // The server's count, and the taps made since that it has not seen yet.
        const waiting = left.filter((each) => each.unit === tap.unit).reduce((sum, each) => sum + Number(each.change), 0);
        show(tap.unit, Math.max(0, answer.available + waiting));
      }
      status.textContent = answer.detail || "";
      if (!response.ok) return;
    }
  } finally {
    flushing = false;
  }
}

for (const form of document.querySelectorAll(".stepper form")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const unit = form.elements.unit.value;
    const change = Number(form.elements.change.value);
    const count = countOf(unit);
    const now = Math.max(0, Number(count.lastChild.textContent) + change);
    show(unit, now);
    keep([...pending(), { key: crypto.randomUUID(), url: form.action, unit, change: String(change) }]);
    status.textContent = t("tapSaving");
    flush();
  });
}

window.addEventListener("online", flush);
flush(); // taps left from before a reload
