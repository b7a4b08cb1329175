// The one module that talks to the Netral companion: configuration, the proof check, timeouts, every HTTP call.

const moduleStart = performance.now(); // the first of the worker's modules to run: what came before is the browser's

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

const NATIVE_HOST = "id.go.netral.companion";
const NATIVE_KEY = "nativeCompanion"; // chrome.storage.session: {url, token} from the native host, never local
const NATIVE_TIMEOUT_MS = 3000;
const NATIVE_RETRY_MS = 60 * 1000;
/** Ms since this service worker started at which each step of connecting first ended (the cold start's budget);
 * `native`: how long the native host took to answer. */
export const timings = { native: null, config: null, proof: null, status: null, proofs: 0, loaded: moduleStart };

/** Loopback URLs dialled by literal address: "localhost" may resolve to another socket than the proof names. */
function normalUrl(url) {
  const text = String(url || DEFAULT_URL).replace(/\/+$/, "");
  try {
    const parsed = new URL(text);
    if (parsed.hostname === "localhost") parsed.hostname = "127.0.0.1";
    return parsed.origin;
  } catch {
    return text;
  }
}

/**
 * This OS user's companion from the native-messaging host: {url, token}, or null (no host registered, the
 * companion not running, a refusal). Kept in session storage, so a restarted service worker does not start
 * the host again; `fresh` asks the host even so (the companion may have moved to another port).
 */
async function nativeCompanion({ fresh = false, stored = readKeptNative() } = {}) {
  if (!fresh) {
    const kept = await stored;
    // No host (or no companion) is asked again after a minute: an installer may have run meanwhile.
    if (kept?.found || (kept && Date.now() - kept.at < NATIVE_RETRY_MS)) {
      nativeError = kept.error ?? null;
      return kept.found;
    }
  }
  const started = performance.now();
  let answer = null;
  if (chrome.runtime.sendNativeMessage) {
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve(null), NATIVE_TIMEOUT_MS); });
    answer = await Promise.race([
      chrome.runtime.sendNativeMessage(NATIVE_HOST, { type: "connect" }).catch(() => null), timeout]);
    clearTimeout(timer);
  }
  const ok = answer && typeof answer.url === "string" && typeof answer.token === "string" && answer.token.length >= 43;
  const found = ok ? { url: answer.url, token: answer.token } : null;
  nativeError = ok ? null : String(answer?.error ?? "no_native_host");
  await chrome.storage.session.set({ [NATIVE_KEY]: { found, error: nativeError, at: Date.now() } }).catch(() => {});
  timings.native = performance.now() - started;
  return found;
}
let nativeError = null;

function readKeptNative() {
  return chrome.storage.session.get(NATIVE_KEY).then((items) => items[NATIVE_KEY], () => undefined);
}

/**
 * Where the companion and its token come from, in the contract's order: managed storage (an administrator set
 * the token), else the native-messaging host (this user's companion, no step by the user), else pairing (the
 * token in local storage).
 */
async function loadConfig({ freshNative = false } = {}) {
  // The three storage reads of a cold start at once: the native host's kept answer is read while policy is.
  const stored = readKeptNative();
  const [managed, local] = await Promise.all([readArea("managed"), readArea("local")]);
  const pick = (key) => (managed[key] !== undefined ? managed[key] : local[key]);
  const settings = {
    failMode: pick("failMode") === "allow" ? "allow" : "warn",
    enabledPlatforms: Array.isArray(pick("enabledPlatforms")) ? pick("enabledPlatforms") : DEFAULT_PLATFORMS,
    managed: CONFIG_KEYS.filter((key) => managed[key] !== undefined),
  };
  if (managed.companionToken) {
    return { ...settings, source: "managed", companionUrl: normalUrl(managed.companionUrl), companionToken: managed.companionToken };
  }
  const native = await nativeCompanion({ fresh: freshNative, stored });
  if (native) return { ...settings, source: "native", companionUrl: normalUrl(native.url), companionToken: native.token };
  return { ...settings, source: "pairing", nativeError, companionUrl: normalUrl(pick("companionUrl")),
    companionToken: local.companionToken || "" };
}

/** The effective configuration: managed policy wins key by key over local storage. */
export function getConfig() {
  configPromise ??= loadConfig().catch((error) => { configPromise = null; throw error; });
  return configPromise;
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "managed" && area !== "local") return;
  if (!CONFIG_KEYS.some((key) => key in changes)) return;
  configPromise = null;
  Object.assign(link, { connected: false, proofOk: false, error: null, status: null, checkedAt: 0 });
  proving = null;
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
// Read as the worker starts, beside the configuration: the first answer's epoch is compared without waiting.
const storedEpoch = chrome.storage.session.get(EPOCH_KEY).then((items) => items[EPOCH_KEY] ?? null, () => null);

/**
 * Notes the `rules.epoch` of an answer; resolves once the epoch listeners ran for a new one, so a caller caches
 * the answer that brought the news only after the old verdicts were dropped. The first epoch seen in a browser
 * session changes nothing: nothing was cached under another one.
 */
function noteEpoch(epoch) {
  if (typeof epoch !== "string") return epochChain;
  epochChain = epochChain.then(async () => {
    if (lastEpoch === undefined) lastEpoch = await storedEpoch;
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

/** The address the proof must name: the host and port this URL dials (brackets of an IPv6 literal dropped). */
function dialled(url) {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  return { host: parsed.hostname.replace(/^\[|\]$/g, ""), port };
}

/**
 * The proof before the token: `GET /v1/hello?nonce=N` carries no token; the answer must be
 * HMAC-SHA256(token, "netral-hello/1|N|M|HOST|PORT"), M the companion's own nonce, HOST and PORT the address
 * *we dialled*. A squatter cannot make it, a relay on another port gets the real companion's port in it.
 */
async function prove(config) {
  if (!config.companionToken) throw new CompanionUnavailable("unpaired");
  const nonce = randomHex(32);
  timings.proofs += 1;
  const res = await rawRequest(config, `/v1/hello?nonce=${nonce}`, { auth: false, timeoutMs: TIMEOUT_MS.status });
  const theirs = res.data?.companion_nonce;
  const { host, port } = dialled(config.companionUrl);
  const ok = res.ok && typeof res.data?.proof === "string" && typeof theirs === "string" && /^[0-9a-f]{16,128}$/.test(theirs) &&
    res.data.proof.toLowerCase() === await hmacHex(config.companionToken, `netral-hello/1|${nonce}|${theirs}|${host}|${port}`);
  if (!ok) throw new CompanionUnavailable("proof_mismatch", `hello answered ${res.status}`);
}

let proving = null; // the one proof in flight, shared by every message that needs it
let statusGate = Promise.resolve();

/** Holds the status call that follows a proof until `gate` settles: a cold start's first check goes first. */
export function holdStatusUntil(gate) { statusGate = gate; }

/**
 * Makes sure we talk to the real companion, once per configuration and again after any failure; concurrent
 * callers share one proof. Resolves once the proof checked out; the status (rules, epoch, pact) follows on its
 * own unless `status` is asked for, so a cold service worker's first check waits for one round trip, not two.
 */
export async function connect({ force = false, status = true } = {}) {
  if (force || !(link.connected && link.proofOk)) {
    proving ??= establish().finally(() => { proving = null; });
    await proving;
  }
  if (!status) return link.status;
  if (force || !link.status) return refreshStatus();
  return link.status;
}

async function establish() {
  let config = await getConfig();
  timings.config ??= performance.now();
  try {
    await prove(config);
  } catch (error) {
    if (config.source === "native" && error instanceof CompanionUnavailable) {
      // The companion may have restarted on another port: ask the host once more before giving up.
      configPromise = loadConfig({ freshNative: true });
      config = await configPromise;
      try { await prove(config); } catch (again) { fail(again); }
    } else {
      fail(error);
    }
  }
  timings.proof ??= performance.now();
  const wasConnected = link.connected;
  Object.assign(link, { connected: true, proofOk: true, error: null, checkedAt: Date.now() });
  if (!wasConnected) for (const fn of listeners.reconnect) queueMicrotask(fn);
  if (!link.status) statusGate.then(() => link.status ?? refreshStatus()).catch(() => { /* reported through link state */ });
}

function fail(error) {
  const reason = error instanceof CompanionUnavailable ? error.reason : "unreachable";
  markDown(reason);
  if (reason === "proof_mismatch") link.proofOk = false;
  throw error instanceof CompanionUnavailable ? error : new CompanionUnavailable(reason, String(error));
}

let statusInFlight = null;

/** `GET /v1/status` after the proof: rules, epoch and pact for the pages and the epoch listeners. */
function refreshStatus() {
  statusInFlight ??= (async () => {
    const config = await getConfig();
    const res = await rawRequest(config, `/v1/status?lang=${uiLang()}`, { timeoutMs: TIMEOUT_MS.status });
    if (res.status === 401) { markDown("unauthorized"); throw new CompanionUnavailable("unauthorized"); }
    if (!res.ok || !res.data) { markDown(`http_${res.status}`); throw new CompanionUnavailable(`http_${res.status}`); }
    link.status = res.data;
    timings.status ??= performance.now();
    await noteEpoch(res.data.rules?.epoch);
    for (const fn of listeners.status) fn(res.data);
    return res.data;
  })().catch((error) => {
    if (error instanceof CompanionUnavailable && ["unreachable", "timeout"].includes(error.reason)) markDown(error.reason);
    throw error;
  }).finally(() => { statusInFlight = null; });
  return statusInFlight;
}

/** One authenticated call after the proof check; a network failure drops the link so the next call re-proves. */
async function call(path, options = {}) {
  await connect({ status: false });
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
