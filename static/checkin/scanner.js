/* Check-in scanner: keyboard-wedge scanner, camera (BarcodeDetector) and name search.
 *
 * Online, each scan goes to the server (POST /api/checkin/scans) and its answer is shown.
 * Offline (or when the upload fails), the badge code is verified here: Base45, the payload of
 * meetings/badges/codes.py, Ed25519 with WebCrypto against the downloaded keys, the revocation
 * list, expiry and the door rules; the scan waits in IndexedDB with its nonce and is uploaded
 * when the network is back (the server counts each nonce once and reports conflicts).
 * Plain JS, no build step, nothing from other origins.
 */
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("checkin-config").textContent);
  const words = config.words;
  const storeKey = "checkin:" + config.device_id;
  const BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  const EPOCH = Date.UTC(2020, 0, 1);
  const SIGNATURE_BYTES = 64;
  let data = JSON.parse(localStorage.getItem(storeKey + ":data") || "null");
  let log = JSON.parse(localStorage.getItem(storeKey + ":log") || "[]");
  let keys = new Map(); // key id -> {edition_id, key: CryptoKey}
  let online = navigator.onLine;
  let syncing = false;

  // ---- The badge code: Base45, varints, payload (as meetings/badges/codes.py) -------------
  class CodeError extends Error {}

  function b45decode(text) {
    const values = [];
    for (const char of text) {
      const value = BASE45.indexOf(char);
      if (value < 0) throw new CodeError("malformed");
      values.push(value);
    }
    if (values.length % 3 === 1) throw new CodeError("malformed");
    const out = [];
    for (let at = 0; at < values.length; at += 3) {
      const group = values.slice(at, at + 3);
      const number = group.reduce((sum, value, power) => sum + value * 45 ** power, 0);
      if (group.length === 3) {
        if (number > 0xffff) throw new CodeError("malformed");
        out.push(number >> 8, number & 0xff);
      } else {
        if (number > 0xff) throw new CodeError("malformed");
        out.push(number);
      }
    }
    return new Uint8Array(out);
  }

  function takeVarint(bytes, at) {
    let number = 0, scale = 1;
    while (at < bytes.length && scale <= 2 ** 63) {
      const byte = bytes[at++];
      number += (byte & 0x7f) * scale;
      if (!(byte & 0x80)) return [number, at];
      scale *= 128;
    }
    throw new CodeError("malformed");
  }

  function decodePayload(bytes) {
    if (!bytes.length || bytes[0] !== 1) throw new CodeError("malformed");
    let at = 1;
    const numbers = [];
    for (let field = 0; field < 5; field++) {
      let number;
      [number, at] = takeVarint(bytes, at);
      numbers.push(number);
    }
    if (at >= bytes.length) throw new CodeError("malformed");
    const access = bytes[at++];
    const workshops = [];
    for (let index = 0; index < access >> 2; index++) {
      let id;
      [id, at] = takeVarint(bytes, at);
      workshops.push(id);
    }
    if (at !== bytes.length) throw new CodeError("malformed");
    const [keyId, editionId, registrationId, serial, hours] = numbers;
    return {keyId, editionId, registrationId, serial, validUntil: EPOCH + hours * 3600000,
            lawEnforcement: Boolean(access & 2), workshops};
  }

  function split(code) {
    const text = code.replace(/^[\r\n\t]+|[\r\n\t]+$/g, "").toUpperCase();
    if (!text || text.length > 300) throw new CodeError("malformed");
    const signed = b45decode(text);
    if (signed.length <= SIGNATURE_BYTES) throw new CodeError("malformed");
    return [signed.slice(0, -SIGNATURE_BYTES), signed.slice(-SIGNATURE_BYTES)];
  }

  /* The badge code's verdict: {reason, payload}; reason "valid" when it admits to this edition. */
  async function verifyCode(code, now) {
    let payloadBytes, signature, keyId;
    try {
      [payloadBytes, signature] = split(code);
      if (payloadBytes[0] !== 1) return {reason: "malformed"};
      [keyId] = takeVarint(payloadBytes, 1);
    } catch (error) {
      return {reason: "malformed"};
    }
    const key = keys.get(keyId);
    if (!key) return {reason: "unknown key"};
    const good = await crypto.subtle.verify({name: "Ed25519"}, key.key, signature, payloadBytes);
    if (!good) return {reason: "bad signature"};
    let payload;
    try {
      payload = decodePayload(payloadBytes);
    } catch (error) {
      return {reason: "malformed"};
    }
    if (payload.editionId !== config.edition_id || key.edition_id !== config.edition_id) {
      return {reason: "other edition", payload};
    }
    if (data.revoked.includes(payload.serial)) return {reason: "revoked", payload};
    if (now > payload.validUntil) return {reason: "expired", payload};
    return {reason: "valid", payload};
  }
  window.checkinVerify = (code) => verifyCode(code, Date.now()); // used by bench/checkin.py

  // ---- Downloaded data: roster, keys, revocations ------------------------------------------
  function base64urlBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64 + "=".repeat((4 - base64.length % 4) % 4)),
                           (c) => c.charCodeAt(0));
  }

  async function importKeys() {
    const imported = new Map();
    for (const entry of (data ? data.keys : [])) {
      const key = await crypto.subtle.importKey("raw", base64urlBytes(entry.public_key),
                                                {name: "Ed25519"}, false, ["verify"]);
      imported.set(entry.key_id, {edition_id: entry.edition_id, key});
    }
    keys = imported;
  }

  async function api(path, options) {
    const response = await fetch(path, Object.assign({
      headers: {"Authorization": "Bearer " + config.token, "Content-Type": "application/json"},
      cache: "no-store", credentials: "omit"}, options || {}));
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  async function download() {
    const [roster, keyList, revoked] = await Promise.all(
      [api(config.api.roster), api(config.api.keys), api(config.api.revoked)]);
    data = {people: roster.people, sessions: roster.sessions, keys: keyList.keys,
            revoked: revoked.serials, at: Date.now()};
    localStorage.setItem(storeKey + ":data", JSON.stringify(data));
    await importKeys();
  }

  // ---- The queue of scans (IndexedDB) -------------------------------------------------------
  let database;
  function openQueue() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(storeKey, 1);
      request.onupgradeneeded = () => request.result.createObjectStore("queue", {keyPath: "nonce"});
      request.onsuccess = () => { database = request.result; resolve(); };
      request.onerror = () => reject(request.error);
    });
  }
  function queueDo(mode, work) {
    return new Promise((resolve, reject) => {
      const transaction = database.transaction("queue", mode);
      const request = work(transaction.objectStore("queue"));
      transaction.oncomplete = () => resolve(request && request.result);
      transaction.onerror = () => reject(transaction.error);
    });
  }
  const enqueue = (scan) => queueDo("readwrite", (store) => store.put(scan));
  const waiting = () => queueDo("readonly", (store) => store.getAll());
  const dequeue = (nonces) => queueDo("readwrite", (store) => { nonces.forEach((n) => store.delete(n)); });

  function newNonce() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- The rules at the door, as meetings/checkin/service.py applies them -------------------
  function localDay(instant) {
    return new Intl.DateTimeFormat("en-CA", {timeZone: config.timezone, year: "numeric",
                                             month: "2-digit", day: "2-digit"}).format(instant);
  }

  function doorRefusal(sessionId, holder) {
    if (sessionId === null) return null;
    const door = config.doors.find((d) => d.id === sessionId);
    if (!door) return null;
    if (door.closed && !holder.lawEnforcement) return "not for this room";
    if (door.workshop && !holder.workshops.includes(sessionId)) return "not for this room";
    return null;
  }

  function earlierUse(registrationId, kind, sessionId, day, at) {
    if (kind === "checkout") return false;
    const mine = log.filter((e) => e.registration_id === registrationId && e.admitted);
    const checkouts = mine.filter((e) => e.kind === "checkout").map((e) => e.at);
    return mine.some((e) => {
      if (e.kind !== kind) return false;
      if (kind === "collection") return true;
      if (e.session_id !== sessionId || e.day !== day) return false;
      const [low, high] = [Math.min(e.at, at), Math.max(e.at, at)];
      return !checkouts.some((out) => low < out && out < high);
    });
  }

  async function decideHere(scan, at) {
    let holder, reason = "valid";
    if (scan.code !== null) {
      const verdict = await verifyCode(scan.code, at);
      const person = verdict.payload && data.people.find((p) => p.id === verdict.payload.registrationId);
      if (verdict.reason !== "valid") return {reason: verdict.reason, person};
      if (!person) return {reason: "unknown person"};
      holder = {person, lawEnforcement: verdict.payload.lawEnforcement,
                workshops: verdict.payload.workshops};
    } else {
      const person = data.people.find((p) => p.id === scan.registration_id);
      if (!person) return {reason: "unknown person"};
      holder = {person, lawEnforcement: person.law_enforcement, workshops: person.workshops};
    }
    if (scan.kind === "collection" && !scan.photo_id_checked) reason = "photo ID not checked";
    else reason = doorRefusal(scan.session_id, holder) || reason;
    if (reason === "valid" && earlierUse(holder.person.id, scan.kind, scan.session_id, localDay(at), at)) {
      reason = scan.kind === "collection" ? "already collected" : "already admitted";
    }
    return {reason, person: holder.person};
  }

  function remember(scan, registrationId, admitted, at) {
    log.push({nonce: scan.nonce, registration_id: registrationId, kind: scan.kind,
              session_id: scan.session_id, day: localDay(at), at, admitted});
    log = log.slice(-5000);
    localStorage.setItem(storeKey + ":log", JSON.stringify(log));
  }

  // ---- Showing answers ------------------------------------------------------------------------
  const $ = (id) => document.getElementById(id);

  function show(admitted, name, category, reason, note) {
    const box = $("answer");
    box.hidden = false;
    box.className = "answer " + (admitted ? "is-admitted" : "is-refused");
    box.dataset.reason = reason;
    $("answer-verdict").textContent = admitted ? words.admitted : words.refused;
    $("answer-name").textContent = name || "—";
    $("answer-category").textContent = category || "";
    $("answer-reason").textContent = admitted ? (note || "") : (config.texts[reason] || reason);
    if (admitted && document.getElementById("kind-collection").checked) {
      $("photo-id").checked = false; // ticked again for the next person
    }
  }

  function addToLog(text) {
    const item = document.createElement("li");
    item.textContent = text;
    $("log").prepend(item);
    while ($("log").children.length > 30) $("log").lastChild.remove();
  }

  async function showNetwork() {
    const count = database ? (await waiting()).length : 0;
    const line = $("network");
    line.classList.toggle("is-offline", !online);
    line.dataset.waiting = String(count);
    line.textContent = (online ? words.online : words.offline) + " — " + count + " " + words.waiting;
  }

  // ---- One scan -------------------------------------------------------------------------------
  function currentSetup() {
    const kind = document.querySelector("input[name=kind]:checked").value;
    return {kind, session_id: kind === "session" ? Number($("door").value) : null,
            photo_id_checked: kind === "collection" && $("photo-id").checked};
  }

  async function upload(scans) {
    const answer = await api(config.api.scans, {method: "POST", body: JSON.stringify({scans})});
    await dequeue(answer.results.map((r) => r && r.nonce).filter(Boolean));
    return answer.results;
  }

  async function handle(code, registrationId) {
    if (!data) { show(false, "", "", "no data", words.no_data); $("answer-reason").textContent = words.no_data; return; }
    const at = Date.now();
    const scan = Object.assign({nonce: newNonce(), code, registration_id: registrationId,
                                scanned_at: new Date(at).toISOString()}, currentSetup());
    const local = await decideHere(scan, at);
    scan.device_admitted = local.reason === "valid";
    scan.offline = !online;
    await enqueue(scan);
    let result = null;
    if (online) {
      try {
        [result] = await upload([scan]);
      } catch (error) {
        setOnline(false);
        scan.offline = true;
        await enqueue(scan);
      }
    }
    if (result && result.status !== "error") {
      remember(scan, result.registration_id, result.admitted, at);
      show(result.admitted, result.name, result.category, result.reason);
      addToLog(`${result.name || "—"}: ${result.admitted ? words.admitted : config.texts[result.reason] || result.reason} (${words.uploaded})`);
    } else {
      const person = local.person;
      remember(scan, person ? person.id : null, local.reason === "valid", at);
      show(local.reason === "valid", person && person.name, person && person.category, local.reason);
      addToLog(`${person ? person.name : "—"}: ${local.reason === "valid" ? words.admitted : config.texts[local.reason] || local.reason} (${words.queued})`);
    }
    await showNetwork();
  }

  async function sync() {
    if (syncing || !online || !database) return;
    syncing = true;
    try {
      const scans = await waiting();
      for (let at = 0; at < scans.length; at += 200) await upload(scans.slice(at, at + 200));
      await download();
    } catch (error) {
      setOnline(false);
    } finally {
      syncing = false;
      await showNetwork();
    }
  }

  function setOnline(value) {
    online = value && navigator.onLine;
    showNetwork();
  }

  // ---- Search by name, camera -----------------------------------------------------------------
  const fold = (text) => text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

  function search() {
    const query = fold($("search").value.trim());
    const list = $("matches");
    list.replaceChildren();
    if (!data || query.length < 2) return;
    for (const person of data.people.filter((p) => fold(p.name).includes(query)).slice(0, 10)) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button-secondary";
      button.textContent = `${words.check}: ${person.name} — ${person.category}${person.organization ? ", " + person.organization : ""}`;
      button.addEventListener("click", () => handle(null, person.id));
      item.append(button);
      list.append(item);
    }
  }

  /* The camera reads one badge per start and then stops; pressed again while it runs, it stops.
   * A code it read in the last REREAD_MS (a badge still held up when the camera starts again)
   * is not answered again: it would show the person just admitted as "already admitted". */
  const REREAD_MS = 3000;
  let cameraRun = null; // {stream, timer, stopped} while the camera looks for a badge
  let lastRead = {code: null, at: 0};

  function stopCamera() {
    const run = cameraRun;
    if (!run) return;
    cameraRun = null;
    run.stopped = true;
    clearTimeout(run.timer);
    if (run.stream) run.stream.getTracks().forEach((track) => track.stop());
    const video = $("camera-view");
    video.hidden = true;
    video.srcObject = null;
    $("camera").setAttribute("aria-pressed", "false");
  }

  async function camera() {
    if (cameraRun) { stopCamera(); return; }
    const run = cameraRun = {stream: null, timer: null, stopped: false};
    $("camera").setAttribute("aria-pressed", "true");
    let detector;
    try {
      detector = new window.BarcodeDetector({formats: ["qr_code"]});
      run.stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
    } catch (error) {
      if (cameraRun === run) stopCamera();
      throw error;
    }
    if (run.stopped) { run.stream.getTracks().forEach((track) => track.stop()); return; }
    const video = $("camera-view");
    video.srcObject = run.stream;
    video.hidden = false;
    try {
      await video.play();
    } catch (error) {
      if (run.stopped) return; // switched off while starting
      stopCamera();
      throw error;
    }
    const look = async () => {
      if (run.stopped) return;
      const found = await detector.detect(video).catch(() => []);
      if (run.stopped) return;
      const code = found.length ? found[0].rawValue : "";
      const now = Date.now();
      if (code && code === lastRead.code && now - lastRead.at < REREAD_MS) {
        lastRead.at = now; // still in view: wait until it has been away a moment
      } else if (code) {
        lastRead = {code, at: now};
        stopCamera();
        await handle(code, null);
        return;
      }
      run.timer = setTimeout(look, 250);
    };
    look();
  }

  // ---- Start ----------------------------------------------------------------------------------
  function showFields() {
    const kind = currentSetup().kind;
    $("door-field").hidden = kind !== "session";
    $("photo-field").hidden = kind !== "collection";
  }

  document.querySelectorAll("input[name=kind]").forEach((input) => input.addEventListener("change", showFields));
  $("scan-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = $("code").value;
    $("code").value = "";
    if (code.trim()) await handle(code, null);
    $("code").focus();
  });
  $("search-form").addEventListener("submit", (event) => event.preventDefault());
  $("search").addEventListener("input", search);
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    $("camera").hidden = false;
    $("camera").addEventListener("click", () => camera().catch(() => { $("camera").hidden = true; }));
  }
  window.addEventListener("online", () => { online = true; sync(); });
  window.addEventListener("offline", () => setOnline(false));
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.service_worker).catch(() => {});
  }
  showFields();
  (async () => {
    await openQueue();
    await importKeys();
    if (online) await sync();
    await showNetwork();
    document.body.dataset.checkinReady = data ? "yes" : "no";
    setInterval(() => { if (navigator.onLine) { online = true; sync(); } }, 15000);
  })();
})();
