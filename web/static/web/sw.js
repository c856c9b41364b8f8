// The service worker keeps the app shell (the search page, its stylesheet and scripts) so that the app
// opens without a network; listings live in IndexedDB (offline.js), never in this cache. Pages come from
// the network first; when it fails, the shell answers and its script searches the saved copy.
const SHELL = "shell-__VERSION__";
const SHELL_PAGE = "/offline/";
const ASSETS = ["__APP_CSS__", "__APP_JS__", "__OFFLINE_JS__"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) =>
        Promise.all([
          cache.addAll(ASSETS),
          // The shell is the public search page in the chosen language: nothing of a signed-in person.
          fetch(SHELL_PAGE, { credentials: "same-origin" }).then((response) => {
            if (!response.ok) throw new Error("no shell");
            return cache.put(SHELL_PAGE, response);
          }),
        ]),
      )
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== SHELL).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  // The page's language changed: keep the shell in the new one.
  if (event.data === "refresh-shell") {
    event.waitUntil(
      fetch(SHELL_PAGE, { credentials: "same-origin" }).then((response) =>
        response.ok ? caches.open(SHELL).then((cache) => cache.put(SHELL_PAGE, response)) : null,
      ),
    );
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() => caches.match(SHELL_PAGE).then((shell) => shell || Response.error())),
    );
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
  }
});
