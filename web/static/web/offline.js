// The offline copy: one country's public listings from /api/v1/sync/ and its place names, in IndexedDB,
// searched with the directory's rules (reach, then distance; the same filters) when there is no network.
// Requests go without cookies (credentials: "omit"): a copy only ever holds what the public may see.

const DB_NAME = "directory-offline";
const RADIUS_KM = 25; // the API's default radius
const SYNC_PAGE = 200;

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("services", { keyPath: "id" });
      db.createObjectStore("meta");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function done(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () => reject(transaction.error);
  });
}

function read(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** What the copy is: {country, lang, cursor, savedAt, count}, or undefined when nothing is saved. */
export async function copyInfo() {
  // Asking must not create the database (a phone that was signed out holds nothing).
  if (indexedDB.databases && !(await indexedDB.databases()).some((db) => db.name === DB_NAME)) return undefined;
  const db = await open();
  try {
    return await read(db.transaction("meta").objectStore("meta").get("copy"));
  } finally {
    db.close();
  }
}

async function getJSON(url) {
  const response = await fetch(url, { credentials: "omit", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

/** Download (or bring up to date) the copy of one country, in one listing language. Returns its info. */
export async function save(country, lang) {
  const earlier = await copyInfo();
  const fresh = !earlier || earlier.country !== country || earlier.lang !== lang;
  let cursor = fresh ? null : earlier.cursor;
  const places = fresh || !earlier.places ? await getJSON(`/offline/places/${country}.json`) : null;
  const db = await open();
  try {
    let first = true;
    for (;;) {
      const query = new URLSearchParams({ page_size: SYNC_PAGE, lang });
      if (cursor) query.set("cursor", cursor);
      else query.set("country", country);
      const page = await getJSON(`/api/v1/sync/?${query}`);
      const transaction = db.transaction(["services", "meta"], "readwrite");
      const services = transaction.objectStore("services");
      if ((first && fresh) || page.reset) services.clear();
      for (const id of page.deleted) services.delete(id);
      for (const record of page.results) services.put(record);
      cursor = page.next_cursor;
      const info = { country, lang, cursor, savedAt: Date.now(), places: true };
      transaction.objectStore("meta").put(info, "copy");
      if (places) transaction.objectStore("meta").put(places.places, "places");
      await done(transaction);
      first = false;
      if (!page.has_more) break;
    }
    const count = await read(db.transaction("services").objectStore("services").count());
    const info = { ...(await copyInfo()), count };
    const transaction = db.transaction("meta", "readwrite");
    transaction.objectStore("meta").put(info, "copy");
    await done(transaction);
    return info;
  } finally {
    db.close();
  }
}

/** Forget the copy (signing out clears everything the app stored). */
export function forget() {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

async function everything() {
  const db = await open();
  try {
    const services = await read(db.transaction("services").objectStore("services").getAll());
    const places = (await read(db.transaction("meta").objectStore("meta").get("places"))) || [];
    return { services, places };
  } finally {
    db.close();
  }
}

/** One service of the copy, or undefined. */
export async function service(id) {
  const db = await open();
  try {
    return await read(db.transaction("services").objectStore("services").get(id));
  } finally {
    db.close();
  }
}

// A matching key for place names, as the gazetteer makes it: case, Latin accents, spaces and dashes don't matter.
export function nameKey(text) {
  return text
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[\u0300-\u036f]/g, "")
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}\p{M}]/gu, "");
}

// referrals.gazetteer's province_key: "Changwat Tak", "Tak Province" and "tak" are one province.
const DIVISION_WORDS = new Set(
  ("changwat province provinsi state region division tinh thanhpho municipality city khet wilayah " +
    "negeri daerah rajon special administrative autonomous").split(" "),
);

function provinceKey(name) {
  const words = (name || "").normalize("NFKD").toLowerCase().replace(/-/g, " ").split(/\s+/).filter(Boolean);
  const kept = words.filter((word) => !DIVISION_WORDS.has(nameKey(word)));
  return nameKey((kept.length ? kept : words).join(" "));
}

/** Places of the copy whose name (in any script) starts with `prefix`: most populous first. */
export async function suggest(prefix, limit = 6) {
  const key = nameKey(prefix);
  if (!key) return [];
  const { places } = await everything();
  const found = [];
  for (const [name, , , , others] of places) {
    if ([name, ...others].some((each) => nameKey(each).startsWith(key))) found.push(name);
    if (found.length >= limit) break;
  }
  return found;
}

function resolvePlace(places, text) {
  const key = nameKey(text);
  const row = places.find(([name, , , , others]) => [name, ...others].some((each) => nameKey(each) === key));
  return row && { name: row[0], latitude: row[1], longitude: row[2], province: row[5] };
}

function nearestPlace(places, latitude, longitude) {
  let best = null;
  for (const row of places) {
    const km = distanceKm(latitude, longitude, row[1], row[2]);
    if (km <= 60 && (!best || km < best.km)) best = { km, province: row[5] };
  }
  return best;
}

// WGS84, and referrals.geo.distance_km's formula (Andoyer-Lambert): the same distances as the server's.
const A_KM = 6378.137;
const F = 1 / 298.257223563;

export function distanceKm(lat1, lng1, lat2, lng2) {
  if (lat1 === lat2 && lng1 === lng2) return 0;
  const rad = Math.PI / 180;
  const b1 = Math.atan((1 - F) * Math.tan(lat1 * rad));
  const b2 = Math.atan((1 - F) * Math.tan(lat2 * rad));
  const cosSigma = Math.max(
    -1,
    Math.min(1, Math.sin(b1) * Math.sin(b2) + Math.cos(b1) * Math.cos(b2) * Math.cos((lng2 - lng1) * rad)),
  );
  const sigma = Math.acos(cosSigma);
  const sinSigma = Math.sin(sigma);
  if (sinSigma === 0) return A_KM * sigma;
  const p = (b1 + b2) / 2;
  const q = (b2 - b1) / 2;
  const x = ((sigma - sinSigma) * (Math.sin(p) * Math.cos(q)) ** 2) / Math.cos(sigma / 2) ** 2;
  const y = ((sigma + sinSigma) * (Math.cos(p) * Math.sin(q)) ** 2) / Math.sin(sigma / 2) ** 2;
  return A_KM * (sigma - (F / 2) * (x + y));
}

const WEEKDAYS = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function localNow(timeZone, now) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(now)
      .map((part) => [part.type, part.value]),
  );
  return { weekday: WEEKDAYS[parts.weekday], minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

function minutes(text) {
  const [hours, mins] = text.split(":").map(Number);
  return hours * 60 + mins;
}

function localNowIn(zone, now) {
  try {
    return localNow(zone || "UTC", now);
  } catch {
    return localNow("UTC", now);
  }
}

/** Whether any of these schedule rows is open now, each in its own time zone (null: no hours given),
 * overnight hours included, as the server's `open_at` judges them. */
export function openNow(rows, now = new Date()) {
  if (!rows.length) return null;
  return rows.some((row) => {
    const today = localNowIn(row.time_zone, now);
    const yesterday = today.weekday === 1 ? 7 : today.weekday - 1;
    if (row.all_day) return row.weekday === null || row.weekday === today.weekday;
    if (!row.opens_at || !row.closes_at) return false;
    const opens = minutes(row.opens_at);
    const closes = minutes(row.closes_at);
    const onDay = (day) => row.weekday === null || row.weekday === day;
    if (closes > opens) return onDay(today.weekday) && today.minutes >= opens && today.minutes < closes;
    return (onDay(today.weekday) && today.minutes >= opens) || (onDay(yesterday) && today.minutes < closes);
  });
}

function matches(record, filters, rules, now) {
  const { category, serves, language, age, openNowOnly, hasCapacity } = filters;
  if (record.status !== "active") return false;
  if (category.length && !category.some((code) => record.categories.includes(code))) return false;
  if (serves.length && !serves.every((code) => record.populations.includes(code))) return false;
  if (language && !record.languages.includes(language)) return false;
  if (age !== null) {
    if (record.minimum_age !== null && age < record.minimum_age) return false;
    if (record.maximum_age !== null && age > record.maximum_age) return false;
  }
  if (openNowOnly && !openNow(record.schedules, now)) return false;
  if (hasCapacity) {
    // vocabularies.units_taking: a population no unit names (refugees, migrants) asks nothing of the bed.
    const asked = serves.filter((code) => rules.namedByUnits.has(code));
    const fits = (unit) => unit.takes === null || asked.every((code) => unit.takes.includes(code));
    const fresh = (unit) => now - new Date(unit.updated) <= rules.capacityFreshHours * 3600 * 1000;
    if (!record.capacity.some((unit) => unit.available > 0 && fresh(unit) && fits(unit))) return false;
  }
  return true;
}

/** The search rules the server sets (`rules` in the page's data): freshness of free places, units' takers. */
export function searchRules(rules = {}) {
  const units = rules.capacityUnits || {};
  const named = new Set(Object.values(units).flatMap((takes) => takes || []));
  return { capacityFreshHours: rules.capacityFreshHours ?? 48, namedByUnits: named };
}

/**
 * Search the copy as the directory would: services that reach the point, `place` and `outreach` nearest
 * first, then `remote` by nearest office, then by name. `params`: the search form's URLSearchParams.
 * Returns {place, results: [{record, reach, distance}]} or {error, suggestions}.
 */
export async function search(params, rules = searchRules(), now = new Date()) {
  const { services, places } = await everything();
  const country = (await copyInfo())?.country;
  let point;
  let placeName = null;
  const near = (params.get("near") || "").trim();
  const ageText = (params.get("age") || "").trim();
  if (ageText && !/^\d{1,3}$/.test(ageText)) return { error: "age" };
  if (near && (params.get("lat") || params.get("lng"))) return { error: "both" };
  if (params.get("lat") && params.get("lng")) {
    point = { latitude: Number(params.get("lat")), longitude: Number(params.get("lng")) };
    const town = nearestPlace(places, point.latitude, point.longitude);
    point.province = town?.province;
    point.inCountry = Boolean(town); // a point that is not in the saved country is reached by none of its areas
  } else if (near) {
    point = resolvePlace(places, near);
    if (!point) return { error: "unknown-place", suggestions: await suggest(near.slice(0, 3)) };
    placeName = point.name;
    point.inCountry = true;
  } else {
    return { error: "no-place" };
  }
  const filters = {
    category: params.getAll("category").filter(Boolean),
    serves: params.getAll("serves").filter(Boolean),
    language: params.get("language") || "",
    age: ageText ? Number(ageText) : null,
    openNowOnly: Boolean(params.get("open_now")),
    hasCapacity: Boolean(params.get("has_capacity")),
  };
  const near1 = [];
  const remote = [];
  const province = provinceKey(point.province || "");
  for (const record of services) {
    if (!matches(record, filters, rules, now)) continue;
    const offices = record.locations
      .filter((location) => location.latitude !== null && location.latitude !== undefined)
      .map((location) => distanceKm(point.latitude, point.longitude, location.latitude, location.longitude));
    const office = offices.length ? Math.min(...offices) : Infinity;
    let best = null;
    if (office <= RADIUS_KM) best = { reach: "place", distance: office };
    for (const area of record.service_areas) {
      if (area.kind !== "radius" || area.latitude === null) continue;
      const edge = Math.max(0, distanceKm(point.latitude, point.longitude, area.latitude, area.longitude) - area.radius_km);
      if (edge <= RADIUS_KM && (!best || edge < best.distance)) best = { reach: "outreach", distance: edge };
    }
    if (best) {
      near1.push({ record, ...best });
      continue;
    }
    const covers =
      point.inCountry &&
      record.service_areas.some(
        (area) =>
          area.country === country &&
          (area.kind === "country" || (area.kind === "province" && province && provinceKey(area.state_province) === province)),
      );
    if (covers) remote.push({ record, reach: "remote", distance: 0, office });
  }
  near1.sort((a, b) => a.distance - b.distance || (a.record.id < b.record.id ? -1 : 1));
  // ranked_remote: nearest office, then the case-folded name, the name, the id (code point order).
  const order = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
  const byName = (a, b) =>
    order(a.record.name.toLowerCase(), b.record.name.toLowerCase()) || order(a.record.name, b.record.name);
  remote.sort((a, b) => a.office - b.office || byName(a, b) || order(a.record.id, b.record.id));
  return { place: placeName, results: [...near1, ...remote] };
}
