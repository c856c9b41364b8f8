// The pages work as plain forms and links; this module adds place suggestions, "Use my location",
// the offline copy (Save for offline, search without a network) and clearing it all on sign-out.
import * as offline from "./offline.js";

const texts = JSON.parse(document.getElementById("texts")?.textContent || "{}");
const rules = offline.searchRules(texts.rules);
const status = document.getElementById("offline-status");
const lang = document.documentElement.dataset.listingLanguage || "en";

function t(key, values = {}) {
  return (texts[key] || key).replace(/%\((\w+)\)s/g, (_, name) => values[name] ?? "");
}

function say(message) {
  if (status) status.textContent = message;
}

function age(savedAt) {
  const hours = Math.floor((Date.now() - savedAt) / 3600000);
  if (hours < 1) return t("savedJustNow");
  if (hours < 48) return t("savedHoursAgo", { hours });
  return t("savedDaysAgo", { days: Math.floor(hours / 24) });
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== "") node.append(child);
  }
  return node;
}

// --- Suggestions from the gazetteer (online) or the saved copy's place names (offline) ---
function setupSuggestions() {
  const input = document.getElementById("where");
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", "suggestions");
  input.setAttribute("aria-expanded", "false");
  let active = -1;
  let timer;
  let asked = 0;
  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const choose = (name) => {
    input.value = name;
    document.getElementById("lat").value = "";
    document.getElementById("lng").value = "";
    close();
    input.focus();
  };
  const mark = (index) => {
    const options = [...list.children];
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (options[index]) input.setAttribute("aria-activedescendant", options[index].id);
  };
  const show = (names) => {
    close();
    if (!names.length) return;
    names.forEach((name, i) => {
      const option = element("li", { id: `suggestion-${i}`, role: "option", "aria-selected": "false" }, name);
      option.addEventListener("mousedown", (event) => event.preventDefault());
      option.addEventListener("click", () => choose(name));
      list.append(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };
  const lookUp = async (prefix) => {
    const mine = ++asked;
    let names = [];
    try {
      if (!navigator.onLine) throw new Error("offline");
      const response = await fetch(`/api/v1/places/?${new URLSearchParams({ q: prefix, limit: 6 })}`, {
        credentials: "omit",
        headers: { Accept: "application/json", "Accept-Language": lang },
      });
      if (!response.ok) throw new Error(String(response.status));
      names = [...new Set((await response.json()).results.map((place) => place.name))];
    } catch {
      names = await offline.suggest(prefix).catch(() => []);
    }
    if (mine === asked && input.value.trim() === prefix) show(names);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const prefix = input.value.trim();
    if (prefix.length < 2) return close();
    timer = setTimeout(() => lookUp(prefix), 150);
  });
  input.addEventListener("keydown", (event) => {
    const count = list.children.length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      mark((active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      mark((active - 1 + count) % count);
    } else if (event.key === "Enter" && active >= 0 && count) {
      event.preventDefault();
      choose(list.children[active].textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

// --- Use my location ---
function setupLocate() {
  const button = document.getElementById("locate");
  const form = document.getElementById("search");
  if (!button || !form) return;
  if (!("geolocation" in navigator)) {
    button.hidden = true;
    return;
  }
  button.addEventListener("click", () => {
    say(t("locating"));
    navigator.geolocation.getCurrentPosition(
      (position) => {
        // About 100 m: enough for a 25 km search, and no more of the person's position in the URL and history.
        document.getElementById("lat").value = position.coords.latitude.toFixed(3);
        document.getElementById("lng").value = position.coords.longitude.toFixed(3);
        document.getElementById("where").value = "";
        say("");
        form.requestSubmit();
      },
      () => say(t("locateFailed")),
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 },
    );
  });
  // A place typed after a location was taken replaces the location.
  document.getElementById("where").addEventListener("input", () => {
    document.getElementById("lat").value = "";
    document.getElementById("lng").value = "";
  });
}

// --- Save for offline ---
async function describeCopy() {
  const info = await offline.copyInfo().catch(() => undefined);
  if (info) say(t("saved", { count: info.count ?? "", country: info.country, age: age(info.savedAt) }));
  return info;
}

function setupSave() {
  const button = document.getElementById("save-offline");
  if (!button) return;
  if (!("indexedDB" in window)) {
    button.hidden = true;
    return;
  }
  button.addEventListener("click", async () => {
    // The country of the place searched (or typed, not yet searched), else of the copy, else the deployment's.
    const info = await offline.copyInfo().catch(() => undefined);
    const typed = document.getElementById("where")?.value.trim();
    let country = button.dataset.searched ? button.dataset.country : null;
    if (!country && typed) country = await countryOf(typed);
    country = country || info?.country || button.dataset.country;
    if (!country) return say(t("saveFirst"));
    button.disabled = true;
    say(t("saving", { country }));
    try {
      const saved = await offline.save(country, lang);
      say(t("saved", { count: saved.count, country, age: age(saved.savedAt) }));
    } catch {
      say(t("saveFailed"));
    } finally {
      button.disabled = false;
    }
  });
}

async function countryOf(placeName) {
  try {
    const query = new URLSearchParams({ q: placeName, limit: 1 });
    const response = await fetch(`/api/v1/places/?${query}`, { credentials: "omit", headers: { Accept: "application/json" } });
    return response.ok ? (await response.json()).results[0]?.country : null;
  } catch {
    return null;
  }
}

// Back online, one delta request (a few, for a large change) brings the copy up to date.
async function refreshCopy() {
  const info = await offline.copyInfo().catch(() => undefined);
  if (!info || !navigator.onLine || Date.now() - info.savedAt < 10 * 60000) return;
  try {
    await offline.save(info.country, info.lang);
  } catch {
    // Still offline or the server is away: the copy stays as it was, and says how old it is.
  }
}

// --- Signing out clears everything this site stored on the phone ---
function setupSignOut() {
  const form = document.getElementById("sign-out");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await offline.forget();
      if ("caches" in window) for (const key of await caches.keys()) await caches.delete(key);
      const registrations = (await navigator.serviceWorker?.getRegistrations?.()) || [];
      for (const registration of registrations) await registration.unregister();
      localStorage.clear();
      sessionStorage.clear();
    } finally {
      // Whatever could not be cleared here, the server's Clear-Site-Data answer clears; the session ends anyway.
      form.submit();
    }
  });
}

// --- Offline: the saved copy answers the same form ---
function distanceText(km) {
  if (km < 1) return t("metres", { metres: Math.max(10, Math.round(km * 100) * 10) });
  return t("km", { km: km < 10 ? km.toFixed(1) : km.toFixed(0) });
}

function reachText(reach, km) {
  if (reach === "place") return t("away", { distance: distanceText(km) });
  if (reach === "outreach") return km ? t("outreachAway", { distance: distanceText(km) }) : t("outreachHere");
  return t("remote");
}

function labelOf(record, vocabulary, code) {
  return record.labels?.[vocabulary]?.[code] || texts.labels?.[vocabulary]?.[code] || code;
}

function phoneLink(phone) {
  if (!phone.link) return element("span", {}, phone.number);
  const dialled = ["voice", "hotline", "cell"].includes(phone.type);
  const name = dialled
    ? t("call", { number: phone.number })
    : phone.type === "text"
      ? t("text", { number: phone.number })
      : t("app", { app: texts.apps?.[phone.type] || phone.type, account: phone.number });
  return element("a", { class: `contact-link ${phone.type}`, href: phone.link }, name);
}

function openingText(record, location) {
  const rows = record.schedules.filter((row) => row.location === location.id || row.location === null);
  if (rows.some((row) => row.all_day && row.weekday === null)) return t("open247");
  const open = offline.openNow(rows);
  if (open === null) return "";
  return open ? t("openNow") : t("closedNow");
}

function capacityText(record, unit) {
  const name = labelOf(record, "capacity_units", unit.unit);
  return t(unit.available === 1 ? "freePlace" : "freePlaces", { count: unit.available, unit: name });
}

function resultItem({ record, reach, distance }) {
  const location = record.locations[0];
  const fresh = (unit) => Date.now() - new Date(unit.updated) <= rules.capacityFreshHours * 3600000;
  return element(
    "li",
    { class: "result" },
    element("h3", {}, element("a", { href: `/services/${record.id}/` }, record.name)),
    element("p", { class: "org" }, record.organization.name),
    element("p", { class: "reach" }, reachText(reach, distance)),
    location ? element("p", { class: "hours" }, openingText(record, location)) : null,
    record.capacity
      .filter((unit) => unit.available > 0 && fresh(unit))
      .map((unit) => element("p", { class: "places" }, capacityText(record, unit))),
    record.languages.length
      ? element("p", { class: "langs" }, `${t("speaks")} ${record.languages.map((c) => texts.languages?.[c] || c).join(", ")}`)
      : null,
    record.phones.length ? element("p", { class: "contact" }, record.phones.slice(0, 3).map(phoneLink)) : null,
  );
}

async function searchOffline(info) {
  const params = new URLSearchParams(location.search);
  const section = document.getElementById("results");
  const form = document.getElementById("search");
  // The shell's form is empty: show what was asked.
  document.getElementById("where").value = params.get("near") || "";
  for (const box of form.querySelectorAll("input[type=checkbox]")) box.checked = params.getAll(box.name).includes(box.value);
  for (const name of ["lat", "lng", "age"]) form.elements[name].value = params.get(name) || "";
  form.elements.language.value = params.get("language") || "";
  const found = await offline.search(params, rules);
  section.hidden = false;
  if (found.error) {
    const hint = found.suggestions?.length ? t("didYouMean", { names: found.suggestions.join(", ") }) : "";
    const message = { "no-place": t("noPlace"), age: t("badAge"), both: t("placeOrLocation") }[found.error] ||
      `${t("unknownPlace")} ${hint}`;
    section.replaceChildren(element("h2", { id: "results-title" }, t("results")), element("p", { role: "alert" }, message));
    return;
  }
  const title = found.place ? t("resultsNear", { count: found.results.length, place: found.place }) : t("resultsNearYou", { count: found.results.length });
  section.replaceChildren(
    element("h2", { id: "results-title" }, title),
    found.results.length
      ? element("ol", { class: "results" }, found.results.slice(0, 50).map(resultItem))
      : element("p", {}, t("nothing")),
  );
  say(t("offlineCopy", { age: age(info.savedAt) }));
}

async function serviceOffline(id, info) {
  const record = await offline.service(id);
  const main = document.getElementById("main");
  const back = element("p", {}, element("a", { href: "/", class: "back" }, t("back")));
  if (!record) {
    main.replaceChildren(back, element("h1", {}, t("notSaved")));
    return;
  }
  const facts = element("dl", { class: "facts" });
  const fact = (term, value) => value && facts.append(element("dt", {}, term), element("dd", {}, value));
  fact(t("help"), record.categories.map((code) => labelOf(record, "categories", code)).join(", "));
  fact(t("for"), record.populations.map((code) => labelOf(record, "populations", code)).join(", "));
  fact(t("eligibility"), record.eligibility_description);
  fact(t("intake"), record.application_process);
  fact(t("fees"), record.free ? t("free") : record.fees_description || t("fee"));
  const places = record.locations.map((place, i) =>
    element(
      "section",
      { class: "location", "aria-labelledby": `location-${i}` },
      element("h2", { id: `location-${i}` }, place.name || t("whereItIs")),
      place.address_1
        ? element("p", { class: "address" }, `${place.address_1}, ${place.city} ${place.postal_code || ""}`)
        : place.confidential
          ? element("p", { class: "hint" }, t("safeHouse"))
          : element("p", {}, place.city || ""),
      element("p", { class: "hours" }, openingText(record, place)),
    ),
  );
  main.replaceChildren(
    back,
    element(
      "article",
      { class: "service" },
      element("h1", {}, record.name),
      element("p", { class: "org" }, record.organization.name),
      record.alert ? element("p", { class: "alert", role: "note" }, record.alert) : null,
      record.description ? element("p", {}, record.description) : null,
      element("h2", {}, t("contact")),
      element("ul", { class: "contacts" }, record.phones.map((phone) => element("li", {}, phoneLink(phone)))),
      element("h2", {}, t("whoFor")),
      facts,
      places,
    ),
    element("p", { id: "offline-status", role: "status", class: "status" }, t("offlineCopy", { age: age(info.savedAt) })),
  );
  document.title = record.name;
}

async function showOffline() {
  const info = await offline.copyInfo().catch(() => undefined);
  if (!info) {
    say(t("offlineNothing"));
    return;
  }
  const detail = location.pathname.match(/^\/services\/([0-9a-f-]{36})\/$/);
  if (detail) return serviceOffline(detail[1], info);
  if (location.search && location.pathname === "/") return searchOffline(info);
  say(t("offlineCopy", { age: age(info.savedAt) }));
}

async function start() {
  // Just signed out: the phone was cleared (Clear-Site-Data and setupSignOut); keep it so until the next page.
  const signedOut = new URLSearchParams(location.search).has("signed_out");
  setupSuggestions();
  setupLocate();
  setupSave();
  setupSignOut();
  if ("serviceWorker" in navigator && !signedOut) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    // The shell was kept in another language: keep it in this one.
    const language = document.documentElement.lang;
    if (navigator.onLine && localStorage.getItem("shell-language") !== language) {
      navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage("refresh-shell"));
      localStorage.setItem("shell-language", language);
    }
  }
  if (document.body.dataset.page === "offline-shell") {
    await showOffline();
  } else if (document.getElementById("save-offline")) {
    await describeCopy();
    refreshCopy();
  }
  window.addEventListener("online", refreshCopy);
}

start();

// "Back to the search" returns to the results it came from.
const back = document.getElementById("back");
if (back && document.referrer.startsWith(`${location.origin}/?`)) back.href = document.referrer;
