/* Check-in service worker (served as /checkin/sw.js, scope /checkin/): the scanner page and its
 * files come from the cache when the network is gone. API calls are never cached: the page keeps
 * its own copy of the roster, keys and revocations, and queues scans in IndexedDB. */
"use strict";

const CACHE = "checkin-v1";
const FILES = ["/static/checkin/scanner.js", "/static/checkin/scanner.css",
               "/static/css/site.css", "/static/favicon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (request.mode === "navigate" || url.pathname.startsWith("/checkin/")) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    }).catch(() => caches.match(request)));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request, {ignoreSearch: true})
      .then((cached) => cached || fetch(request)));
  }
});
