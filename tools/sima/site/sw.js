// The site's service worker (sw.js at the site's root; the build puts `self.SIMA_SW`,
// its manifest, in front of this file): a cache the site controls, whatever the host's
// cache headers say.
//
// - Files named by their content (the runtime's, the snapshot, Material's hashed
//   bundles) are served from the cache first: a second visit, or another entry page,
//   sends no runtime bytes over the network, and the runner works offline.
// - Everything else of the site (pages, their scripts and styles, the search index,
//   the snippets' data) comes from the network first, and from the cache when the
//   network fails: pages read offline once visited.
// - A file the build gzipped (`SIMA_SW.gzipped`) is fetched as its .gz copy and
//   gunzipped here, with its own Content-Type, so a host that does not compress
//   sends it compressed all the same (not for the .gz files the Python worker asks
//   for by name: it gunzips those itself).
// - The cache's name carries a hash of the whole build (`sima-<version>`): a new
//   deploy installs a new worker, which takes over at once, copies from the old cache
//   only the files whose names carry their content's hash and that the new build
//   still has, and deletes the old cache. A build never mixes with another.
// - Pages tell it what they loaded before it was there (`{type: "keep", urls}`), so
//   the first page visited reads offline too. It asks for each URL as the page
//   loaded it, so the browser's own cache answers (a revalidation, not the bytes
//   again), and keeps it uncompressed under its site path.
// - A cache that fails (quota, a broken entry) falls back to the network with a
//   console warning; a request made with `cache: "reload"` (the Python worker's
//   second try after a cached file did not work) goes to the network and replaces
//   the entry.

const MANIFEST = self.SIMA_SW;
const CACHE = `sima-${MANIFEST.version}`;
const SCOPE = new URL(self.registration.scope);
const IMMUTABLE = new Set(MANIFEST.immutable);
const GZIPPED = new Set(MANIFEST.gzipped);
const GUNZIPS = typeof DecompressionStream === "function";
const QUIET_MS = 10000;
// A hash in a file's name, as the build and Material write them.
const HASHED = /-[0-9a-f]{12}\.|\.[0-9a-f]{8}\.min\./;
const TYPES = {
  html: "text/html; charset=utf-8",
  js: "text/javascript",
  mjs: "text/javascript",
  css: "text/css",
  json: "application/json",
  svg: "image/svg+xml",
  xml: "application/xml",
  wasm: "application/wasm",
};

function warn(what, error) {
  console.warn(`sima: the site's cache ${what} (${(error && error.message) || error}); using the network`);
}

// The site path a URL stands for ("" is the home page), or null outside the site.
function sitePath(url) {
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return null;
  const path = decodeURIComponent(url.pathname.slice(SCOPE.pathname.length));
  return path === "" || path.endsWith("/") ? path + "index.html" : path;
}

async function put(request, response) {
  try {
    const cache = await caches.open(CACHE);
    await cache.put(request, response);
  } catch (error) {
    warn("could not keep a file", error);
  }
}

async function cached(request) {
  try {
    const cache = await caches.open(CACHE);
    return (await cache.match(request)) || null;
  } catch (error) {
    warn("could not be read", error);
    return null;
  }
}

// A response worth keeping: the site's own, complete.
function keepable(response) {
  return response.ok && response.type === "basic" && response.status === 200;
}

function gunzipped(response, type) {
  return new Response(response.body.pipeThrough(new DecompressionStream("gzip")), {
    status: 200,
    headers: { "Content-Type": type },
  });
}

// Every file is kept under one key, its site path without a query (`canonical`), or,
// fetched compressed, under its .gz copy's (`packed`): one entry however it is linked.
function keys(path, request) {
  const canonical = new Request(new URL(path, SCOPE));
  const zipped = GUNZIPS && GZIPPED.has(path);
  const packed = zipped ? new Request(new URL(path + ".gz", SCOPE), { cache: request.cache }) : null;
  return { canonical, packed };
}

async function fromCache(path, { canonical, packed }) {
  const type = TYPES[path.split(".").pop()] || "application/octet-stream";
  const gz = packed && (await cached(packed));
  if (gz) return gunzipped(gz, type);
  return cached(canonical);
}

async function fromNetwork(path, request, { canonical, packed }) {
  if (packed) {
    const response = await fetch(packed);
    if (keepable(response)) {
      put(packed, response.clone());
      return gunzipped(response, TYPES[path.split(".").pop()] || "application/octet-stream");
    }
    // (no .gz copy on this host after all: the file as it is)
  }
  const response = await fetch(packed ? new Request(canonical, { cache: request.cache }) : request);
  if (keepable(response)) put(canonical, response.clone());
  return response;
}

// Cache first for files named by their content (and the runtime's), network first
// for the rest, the cache when the network fails.
async function answer(event, path) {
  const request = event.request;
  const reload = request.cache === "reload";
  const key = keys(path, request);
  if (IMMUTABLE.has(path) && !reload) {
    const hit = await fromCache(path, key);
    if (hit) return hit;
  }
  try {
    return await fromNetwork(path, request, key);
  } catch (error) {
    const hit = await fromCache(path, key);
    if (hit) return hit;
    throw error;
  }
}

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      try {
        const fresh = await caches.open(CACHE);
        for (const name of await caches.keys()) {
          if (name === CACHE || !name.startsWith("sima-")) continue;
          const old = await caches.open(name);
          for (const request of await old.keys()) {
            const path = sitePath(new URL(request.url));
            const file = path && path.replace(/\.gz$/, "");
            const kept = path && (IMMUTABLE.has(path) || IMMUTABLE.has(file));
            if (kept && HASHED.test(path) && !(await fresh.match(request))) {
              const response = await old.match(request);
              if (response) await fresh.put(request, response);
            }
          }
          await caches.delete(name);
        }
      } catch (error) {
        warn("could not be renewed", error);
      }
      await self.clients.claim();
    })(),
  );
});

// Requests being answered: keeping files for later waits until there are none.
let busy = 0;
let idle = [];

function settled() {
  busy -= 1;
  if (busy > 0) return;
  const waiting = idle;
  idle = [];
  waiting.forEach((resume) => resume());
}

// Resolves once no request is being answered, or after QUIET_MS at the most (a body
// its reader dropped halfway says nothing).
function quiet() {
  if (busy === 0) return Promise.resolve();
  return new Promise((resume) => {
    idle.push(resume);
    setTimeout(resume, QUIET_MS);
  });
}

// The response, counted as busy until its body has been read to the end (or dropped).
function tracked(response) {
  if (!response.body) {
    settled();
    return response;
  }
  let open = true;
  const end = () => {
    if (open) settled();
    open = false;
  };
  const reader = response.body.getReader();
  const body = new ReadableStream({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          end();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.headers.has("range")) return;
  const url = new URL(request.url);
  const path = sitePath(url);
  if (path === null || path.startsWith("livereload")) return;
  busy += 1;
  const answered = answer(event, path).then(tracked, (error) => {
    settled();
    throw error;
  });
  event.respondWith(answered);
});

// A page names what it loaded before this worker was there: keep what is missing,
// one file at a time, each once no request of the site's is waiting for an answer
// (the reader's first Run comes first).
self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type !== "keep" || !Array.isArray(message.urls)) return;
  event.waitUntil(
    (async () => {
      for (const href of message.urls) {
        await quiet();
        const url = new URL(href, SCOPE);
        const path = sitePath(url);
        if (path === null) continue;
        const key = keys(path, new Request(url));
        if ((await cached(key.canonical)) || (key.packed && (await cached(key.packed)))) continue;
        try {
          // The URL as the page loaded it: the browser's own cache has it, so this
          // costs a revalidation, not the bytes again.
          const response = await fetch(new Request(url));
          if (keepable(response)) await put(key.canonical, response);
        } catch {
          // offline already: nothing to keep now
        }
      }
    })(),
  );
});
