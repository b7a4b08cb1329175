// The one module that talks to the Netral companion: configuration, the proof check, timeouts, every HTTP call.

const DEFAULT_URL = "http://127.0.0.1:47613";
const CONFIG_KEYS = ["companionUrl", "companionToken", "failMode", "enabledPlatforms"];
const DEFAULT_PLATFORMS = ["x", "facebook", "instagram", "tiktok", "youtube", "threads", "whatsapp"];
const TIMEOUT_MS = { check: 2000, batch: 5000, status: 2000, default: 4000 };
const EPOCH_KEY = "rulesEpoch"; // chrome.storage.session: survives a service-worker restart, not the browser

/** Raised for every failure to get a usable answer; `reason` is a short machine word for the UI. */
export class CompanionUnavailable extends Error {
  constructor(reason, detail = "") {
    super(`${reason}${detail ? `: ${detail}` : ""}`);
    this.reason = reason;
  }
}

let configPromise = null;
const link = { connected: false, proofOk: false, error: null, status: null, checkedAt: 0 };
const listeners = { config: [], reconnect: [], status: [], epoch: [] };

/** Calls `fn()` after the configuration changed (managed or local storage). */
export function onConfigChanged(fn) { listeners.config.push(fn); }
/** Calls `fn()` whenever the companion answers again after being unreachable (or on first contact). */
export function onReconnect(fn) { listeners.reconnect.push(fn); }
/** Calls `fn(status)` with every status answer whose proof checked out. */
export function onStatus(fn) { listeners.status.push(fn); }
/**
 * Calls (and awaits) `fn()` when an answer carries a `rules.epoch` other than the last one seen: another bundle,
 * or a stage that began or ended. `fn` must not call the companion (the next answers wait for it).
 */
export function onEpochChanged(fn) { listeners.epoch.push(fn); }

/** "en" when the browser's UI language is English, else "id": the `lang` of checks and of status. */
export function uiLang() {
  return chrome.i18n.getUILanguage().toLowerCase().startsWith("en") ? "en" : "id";
}

async function readArea(area) {
  try {
    return (await chrome.storage[area].get(CONFIG_KEYS)) ?? {};
  } catch {
    return {}; // managed storage throws where no policy backend exists
  }
}

async function loadConfig() {
  const [managed, local] = await Promise.all([readArea("managed"), readArea("local")]);
  const pick = (key) => (managed[key] !== undefined ? managed[key] : local[key]);
  return {
    companionUrl: String(pick("companionUrl") || DEFAULT_URL).replace(/\/+$/, ""),
    companionToken: pick("companionToken") || "",
    failMode: pick("failMode") === "allow" ? "allow" : "warn",
    enabledPlatforms: Array.isArray(pick("enabledPlatforms")) ? pick("enabledPlatforms") : DEFAULT_PLATFORMS,
    managed: CONFIG_KEYS.filter((key) => managed[key] !== undefined),
  };
}

/** The effective configuration: managed policy wins key by key over local storage. */
export function getConfig() {
  configPromise ??= loadConfig();
  return configPromise;
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "managed" && area !== "local") return;
  if (!CONFIG_KEYS.some((key) => key in changes)) return;
  configPromise = null;
  Object.assign(link, { connected: false, proofOk: false, error: null, status: null, checkedAt: 0 });
  for (const fn of listeners.config) fn();
});

async function hmacHex(key, message) {
  const enc = new TextEncoder();
  const cryptoKey = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, enc.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

function randomHex(bytes) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function rawRequest(config, path, { method = "GET", body, headers = {}, timeoutMs = TIMEOUT_MS.default, auth = true } = {}) {
  if (auth && !config.companionToken) throw new CompanionUnavailable("unpaired");
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(config.companionUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(auth ? { Authorization: `Bearer ${config.companionToken}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: controller.signal,
      cache: "no-store",
    });
  } catch (error) {
    throw new CompanionUnavailable(controller.signal.aborted ? "timeout" : "unreachable", String(error));
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try { data = await response.json(); } catch { /* empty or non-JSON body */ }
  return { ok: response.ok, status: response.status, data };
}

let lastEpoch; // undefined until read from session storage, then the last epoch seen (or null)
let epochChain = Promise.resolve();

/**
 * Notes the `rules.epoch` of an answer; resolves once the epoch listeners ran for a new one, so a caller caches
 * the answer that brought the news only after the old verdicts were dropped. The first epoch seen in a browser
 * session changes nothing: nothing was cached under another one.
 */
function noteEpoch(epoch) {
  if (typeof epoch !== "string") return epochChain;
  epochChain = epochChain.then(async () => {
    lastEpoch ??= (await chrome.storage.session.get(EPOCH_KEY))[EPOCH_KEY] ?? null;
    if (epoch === lastEpoch) return;
    const first = lastEpoch === null;
    lastEpoch = epoch;
    await chrome.storage.session.set({ [EPOCH_KEY]: epoch });
    if (!first) for (const fn of listeners.epoch) await fn();
  }).catch((error) => console.warn("Netral: epoch", error));
  return epochChain;
}

function markDown(reason) {
  Object.assign(link, { connected: false, error: reason, checkedAt: Date.now() });
}

/**
 * Makes sure we talk to the real companion: `GET /v1/status` with a fresh nonce, whose proof must be
 * HMAC-SHA256(token, nonce). Done once per configuration and again after any failure.
 */
export async function connect({ force = false } = {}) {
  const config = await getConfig();
  if (link.connected && link.proofOk && !force) return link.status;
  const nonce = randomHex(16);
  let res;
  try {
    res = await rawRequest(config, `/v1/status?lang=${uiLang()}`,
      { headers: { "X-Netral-Nonce": nonce }, timeoutMs: TIMEOUT_MS.status });
  } catch (error) {
    markDown(error.reason);
    throw error;
  }
  if (res.status === 401) { markDown("unauthorized"); throw new CompanionUnavailable("unauthorized"); }
  if (!res.ok || !res.data) { markDown(`http_${res.status}`); throw new CompanionUnavailable(`http_${res.status}`); }
  const expected = await hmacHex(config.companionToken, nonce);
  if (typeof res.data.proof !== "string" || res.data.proof.toLowerCase() !== expected) {
    markDown("proof_mismatch");
    Object.assign(link, { proofOk: false });
    throw new CompanionUnavailable("proof_mismatch");
  }
  const wasConnected = link.connected;
  Object.assign(link, { connected: true, proofOk: true, error: null, status: res.data, checkedAt: Date.now() });
  if (!wasConnected) for (const fn of listeners.reconnect) queueMicrotask(fn);
  await noteEpoch(res.data.rules?.epoch);
  for (const fn of listeners.status) fn(res.data);
  return res.data;
}

/** One authenticated call after the proof check; a network failure drops the link so the next call re-proves. */
async function call(path, options = {}) {
  await connect();
  const config = await getConfig();
  try {
    const res = await rawRequest(config, path, options);
    if (res.status === 401) { markDown("unauthorized"); throw new CompanionUnavailable("unauthorized"); }
    return res;
  } catch (error) {
    if (error instanceof CompanionUnavailable && error.reason !== "unauthorized") markDown(error.reason);
    throw error;
  }
}

function expectOk(res, what) {
  if (res.ok) return res.data;
  if (res.status === 503 && res.data?.error === "no_rules") throw new CompanionUnavailable("no_rules");
  throw new CompanionUnavailable(`http_${res.status}`, `${what}: ${JSON.stringify(res.data)}`);
}

export function linkState() {
  return { ...link };
}

export async function check(request) {
  const data = expectOk(await call("/v1/check", { method: "POST", body: request, timeoutMs: TIMEOUT_MS.check }), "check");
  await noteEpoch(data.rules?.epoch);
  return data;
}

export async function checkBatch(items) {
  const data = expectOk(await call("/v1/check/batch", { method: "POST", body: { items }, timeoutMs: TIMEOUT_MS.batch }), "batch");
  for (const epoch of new Set(data.results.map((result) => result.rules?.epoch))) await noteEpoch(epoch);
  return data.results;
}

/** Delivers one acknowledgement; resolves to {delivered: true, answer} or {delivered: false, permanent, status}. */
export async function postAcknowledgement(ack) {
  const res = await call("/v1/acknowledgements", { method: "POST", body: ack });
  if (res.ok) return { delivered: true, answer: res.data };
  // 409: this ack_id is already stored with other content, 413/422: this body can never be accepted.
  const permanent = [409, 413, 422].includes(res.status);
  return { delivered: false, permanent, status: res.status, detail: res.data };
}

export async function listAcknowledgements({ after_seq = 0, limit = 100 } = {}) {
  const query = new URLSearchParams({ after_seq: String(after_seq), limit: String(limit) });
  return expectOk(await call(`/v1/acknowledgements?${query}`), "history");
}

export async function verifyChain() {
  return expectOk(await call("/v1/acknowledgements/verify"), "verify");
}

export async function acceptPact(body) {
  return expectOk(await call("/v1/pact/acceptance", { method: "POST", body }), "pact");
}

/** Pairing needs no token: a valid code returns one, which we keep in local storage. */
export async function pair(code) {
  const config = await getConfig();
  const res = await rawRequest(config, "/v1/pair", { method: "POST", body: { code }, auth: false });
  if (!res.ok) {
    const error = res.data?.error ?? (res.status === 410 ? "expired" : "wrong_code");
    return { ok: false, error };
  }
  await chrome.storage.local.set({ companionToken: res.data.token });
  return { ok: true };
}

/** The bundle's selector hot-fix table for one platform, or null when the companion has none. */
export async function selectors(platform) {
  const query = new URLSearchParams({ platform });
  const res = await call(`/v1/rules/selectors?${query}`, { timeoutMs: TIMEOUT_MS.status });
  return res.ok && res.data && typeof res.data === "object" ? res.data : null;
}
