// Service worker: one message router (a map of named handlers) in front of the companion, the verdict cache
// and the acknowledgement queue. See docs/ARCHITECTURE.md for the message table.

import * as companion from "./companion.js";
import * as ackQueue from "./ack_queue.js";
import * as logRecord from "./log_record.js";
import { VerdictCache } from "./verdict_cache.js";

companion.timings.evaluated = performance.now(); // the worker's modules loaded: where its cold start's budget begins

const ACTIONS = ["like", "comment", "share", "follow"];
const BATCH_LIMIT = 200;
const ONE_TRIP_POSTS = 8; // up to this many posts, every action is asked in the first batch (32 checks at most)
const verdicts = new VerdictCache(2000, 5 * 60 * 1000);
// platform -> the last health report of each frame that sent one ("tabId:frameId" -> report). Every frame of a
// supported site runs the engine (embedded posts in same-site iframes), so one frame must not hide another's.
const breakage = new Map();

/** A platform's health over its frames: posts and matches added up, the worst of the rest; the top frame's tab. */
function siteHealthOf(frames) {
  const all = [...frames.values()];
  // The tab that reported last (a closed tab's report lingers until it ages out).
  const newest = (list) => list.reduce((a, b) => (b.at > a.at ? b : a));
  const top = newest(all.filter((h) => h.frameId === 0).length ? all.filter((h) => h.frameId === 0) : all);
  return {
    postsSeen: all.reduce((n, h) => n + h.postsSeen, 0),
    controlsMatched: all.reduce((n, h) => n + h.controlsMatched, 0),
    unreadable: all.reduce((n, h) => n + h.unreadable, 0),
    problems: [...new Set(all.flatMap((h) => h.problems))],
    url: top.url, tabId: top.tabId, at: Math.max(...all.map((h) => h.at)),
  };
}

// A new configuration or a companion that came back (perhaps with another bundle) invalidates answers.
companion.onConfigChanged(() => verdicts.clear());
companion.onReconnect(() => verdicts.clear());

async function platformEnabled(platform) {
  return (await companion.getConfig()).enabledPlatforms.includes(platform);
}

/** The failMode answer for a check the companion could not make. */
async function uncheckedVerdict(error) {
  const { failMode } = await companion.getConfig();
  if (failMode === "allow") return { verdict: "allow", unchecked: true, reason: error.reason };
  return { verdict: "unchecked", reason: error.reason ?? "unreachable" };
}

/** Nothing in the post the companion could match (a layout the site table does not read): never sent as is. */
function unreadable(post, draft) {
  return !draft && !(post?.author_handle || post?.author_name || post?.original_author_handle || post?.text ||
    post?.hashtags?.length || post?.mentions?.length);
}

function checkRequest({ platform, action, post, draft_text = null }) {
  return { platform, action, post: post ?? {}, draft_text: draft_text || null, lang: companion.uiLang() };
}

const handlers = {
  /** One action on one post (or a draft): the companion's verdict, or the failMode answer. */
  async check(msg) {
    if (!(await platformEnabled(msg.platform))) return { verdict: "allow", disabled: true };
    // An empty post is no check: allowed it would let a redesign through silently, so failMode decides.
    if (unreadable(msg.post, msg.draft_text)) return uncheckedVerdict({ reason: "unreadable" });
    const request = checkRequest(msg);
    const cached = verdicts.get(request);
    if (cached) return cached;
    try {
      const response = await companion.check(request);
      verdicts.set(request, response);
      return response;
    } catch (error) {
      if (!(error instanceof companion.CompanionUnavailable)) throw error;
      return uncheckedVerdict(error);
    }
  },

  /**
   * Posts coming into view, in one `/v1/check/batch` (action `like`). A post with no match is allowed for
   * every action; for a matched post we also fetch the other actions' verdicts, so the content script can show
   * the warning without a round trip (`responses` by action). A few posts (one that just appeared, the first
   * after a cold start) are asked about for every action at once: one round trip instead of two.
   */
  async classify({ platform, posts }) {
    if (!(await platformEnabled(platform))) {
      return { results: posts.map(({ key }) => ({ key, verdict: "allow", matched: false })) };
    }
    const results = [];
    for (let start = 0; start < posts.length; start += BATCH_LIMIT) {
      const slice = posts.slice(start, start + BATCH_LIMIT);
      const allAtOnce = slice.length <= ONE_TRIP_POSTS;
      const first = slice.flatMap(({ post }) =>
        (allAtOnce ? ACTIONS : ["like"]).map((action) => checkRequest({ platform, action, post })));
      let firstAnswers;
      try {
        firstAnswers = await companion.checkBatch(first);
      } catch (error) {
        if (!(error instanceof companion.CompanionUnavailable)) throw error;
        return { results: [], unchecked: true, reason: error.reason };
      }
      first.forEach((request, i) => verdicts.set(request, firstAnswers[i]));
      const perPost = allAtOnce ? ACTIONS.length : 1;
      const answers = slice.map((_, i) =>
        Object.fromEntries(firstAnswers.slice(i * perPost, (i + 1) * perPost).map((answer, j) =>
          [allAtOnce ? ACTIONS[j] : "like", answer])));
      const matchedIdx = slice.map((_, i) => i).filter((i) => answers[i].like.matches?.length);
      const others = allAtOnce ? [] : matchedIdx.flatMap((i) =>
        ACTIONS.filter((a) => a !== "like").map((action) => ({ i, action,
          request: checkRequest({ platform, action, post: slice[i].post }) })));
      const otherAnswers = [];
      for (let n = 0; n < others.length; n += BATCH_LIMIT) { // 3 per matched post: more than one batch may be needed
        const chunk = others.slice(n, n + BATCH_LIMIT).map(({ request }) => request);
        otherAnswers.push(...await companion.checkBatch(chunk).catch(() => chunk.map(() => null)));
      }
      others.forEach(({ i, action, request }, n) => {
        if (!otherAnswers[n]) return;
        verdicts.set(request, otherAnswers[n]);
        answers[i][action] = otherAnswers[n];
      });
      slice.forEach(({ key }, i) => {
        const matched = Boolean(answers[i].like.matches?.length);
        results.push({ key, verdict: answers[i].like.verdict, matched, ...(matched ? { responses: answers[i] } : {}) });
      });
    }
    return { results };
  },

  async acknowledge({ ack }) {
    await ackQueue.enqueue(ack);
    ackQueue.flush();
    return { queued: true };
  },

  async status() {
    const timings = { ...companion.timings, firstAnswer }; // before this message's own proof
    const config = await companion.getConfig();
    let status = null;
    try { status = await companion.connect({ force: true }); } catch { /* reported through link state */ }
    if (status) await Promise.all([promptForPact(status, { open: false }), logRecord.checkStatus(status)]);
    const link = companion.linkState();
    const health = [...breakage.entries()].map(([platform, frames]) => ({ platform, ...siteHealthOf(frames) }));
    return {
      connected: link.connected,
      proofOk: link.proofOk,
      error: link.error,
      status,
      pendingAcks: await ackQueue.pendingCount(),
      // Losses of log rows the extension was answered, which the companion may not know of (log_record.js).
      extensionLosses: await logRecord.losses(),
      // The sites this worker heard from (it forgets them when it stops), so "no problems" is said only of them.
      sitesSeen: health.filter((h) => h.postsSeen > 0 || h.unreadable > 0).map((h) => h.platform),
      breakage: health
        .filter((h) => (h.postsSeen > 0 && h.controlsMatched === 0) || h.unreadable > 0 || h.problems.length),
      config: { companionUrl: config.companionUrl, paired: Boolean(config.companionToken), failMode: config.failMode,
        enabledPlatforms: config.enabledPlatforms, managed: config.managed, source: config.source,
        nativeError: config.nativeError ?? null },
      timings,
    };
  },

  async pair({ code }) {
    try {
      return await companion.pair(code);
    } catch (error) {
      if (error instanceof companion.CompanionUnavailable) return { ok: false, error: "unreachable" };
      throw error;
    }
  },

  history({ after_seq, limit }) {
    return companion.listAcknowledgements({ after_seq, limit });
  },

  verifyChain() {
    return companion.verifyChain();
  },

  async acceptPact({ pact_id, name, nip }) {
    const answer = await companion.acceptPact({ pact_id, name, nip });
    await chrome.action.setBadgeText({ text: "" });
    return { ok: true, accepted_at: answer?.accepted_at ?? new Date().toISOString() };
  },

  siteHealth({ platform, postsSeen, controlsMatched, unreadable = 0, problems = [] }, sender) {
    const frames = breakage.get(platform) ?? new Map();
    const tabId = sender.tab?.id ?? null;
    const frameId = sender.frameId ?? 0;
    // A tab's new top-frame report replaces that tab's frames (it navigated); other tabs are kept.
    // Reports older than ten minutes are from tabs closed or gone quiet.
    const now = Date.now();
    for (const [key, h] of frames) {
      if ((frameId === 0 && key.startsWith(`${tabId}:`)) || now - h.at > 10 * 60 * 1000) frames.delete(key);
    }
    frames.set(`${tabId}:${frameId}`, {
      postsSeen, controlsMatched, unreadable, problems: problems.slice(0, 20), url: sender.tab?.url ?? null,
      tabId, frameId, at: now,
    });
    breakage.set(platform, frames);
    return {};
  },

  /** A sanitized skeleton of one post of a broken site (no text, names, handles or URLs), from its tab. */
  async breakageReport({ platform }) {
    const frames = breakage.get(platform);
    const tabId = frames ? siteHealthOf(frames).tabId : null;
    if (tabId == null) return { report: null };
    try {
      const answer = await chrome.tabs.sendMessage(tabId, { what: "breakageReport", platform }, { frameId: 0 });
      return { report: answer?.report ?? null };
    } catch {
      return { report: null }; // the tab is gone or navigated away
    }
  },

  async selectors({ platform }) {
    try { return await companion.selectors(platform); } catch { return null; }
  },

  /** What a content script needs at start: is its platform enabled, and the bundle's selector override. */
  async siteConfig({ platform }) {
    const enabled = await platformEnabled(platform);
    return { enabled, selectors: enabled ? await handlers.selectors({ platform }) : null };
  },

  /** Opens one of the extension's own pages (a web page cannot navigate to chrome-extension:// itself). */
  async openPage({ page }) {
    if (!["history", "popup", "pact"].includes(page)) throw new Error(`unknown page ${page}`);
    await chrome.tabs.create({ url: chrome.runtime.getURL(`pages/${page}.html`) });
    return {};
  },
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = Object.hasOwn(handlers, message?.what) ? handlers[message.what] : null;
  if (!handler) {
    sendResponse({ error: `unknown message ${message?.what}` });
    return false;
  }
  Promise.resolve()
    .then(() => handler(message, sender))
    .then((answer) => {
      if (firstAnswer === null && (message.what === "check" || message.what === "classify")) {
        firstAnswer = performance.now();
        startDeferred();
      }
      sendResponse(answer);
    }, (error) => sendResponse({ error: String(error?.message ?? error) }));
  return true;
});

// The cold start. A stopped worker is woken by the message it must answer: before that answer only the module
// evaluation, the configuration (its storage reads at once) and one proof (`/v1/hello`) run. What can wait starts
// after the first check's answer, or after DEFERRED_MS when no check comes: the status call that follows the proof
// (companion.holdStatusUntil), the generic adapter's registration (it persists across restarts) and the
// acknowledgement queue's flush. A few new posts are classified for every action in one batch (ONE_TRIP_POSTS).
let firstAnswer = null; // ms since this worker started, of its first check or classify answer
const DEFERRED_MS = 1000;
let deferredStarted = false;
let releaseStatus;
const deferredGate = new Promise((resolve) => { releaseStatus = resolve; });
companion.holdStatusUntil(deferredGate);
function startDeferred() {
  if (deferredStarted) return;
  deferredStarted = true;
  releaseStatus();
  syncGenericAdapter();
  ackQueue.flush();
}
setTimeout(startDeferred, DEFERRED_MS);

// The pact: the first-run page on install, and again (once per pact id) when the bundle brings a pact not yet
// accepted; the toolbar badge shows "!" while it waits.
const PACT_PROMPTED_KEY = "promptedPactId";

async function pactPageOpen() {
  const documentUrls = [chrome.runtime.getURL("pages/pact.html")];
  return (await chrome.runtime.getContexts({ contextTypes: ["TAB"], documentUrls })).length > 0;
}

async function promptForPact(status, { open = true } = {}) {
  const pact = status?.pact;
  const waiting = Boolean(pact && !pact.accepted_at);
  await chrome.action.setBadgeText({ text: waiting ? "!" : "" });
  if (!waiting || !open) return;
  const { [PACT_PROMPTED_KEY]: prompted } = await chrome.storage.local.get(PACT_PROMPTED_KEY);
  if (prompted === pact.id) return;
  await chrome.storage.local.set({ [PACT_PROMPTED_KEY]: pact.id });
  if (!(await pactPageOpen())) await handlers.openPage({ page: "pact" });
}

// The status follows the proof on its own (after a cold start's first check); connect() hands back the one in flight.
companion.onReconnect(() => deferredGate.then(() => companion.connect()).then((status) => promptForPact(status))
  .catch(() => {}));

chrome.runtime.onInstalled.addListener(({ reason }) => {
  if (reason === chrome.runtime.OnInstalledReason.INSTALL) handlers.openPage({ page: "pact" }).catch(() => {});
});

// The generic adapter (the registry's opt-in platform, "other") runs only while policy enables it: a content script
// registered for every page the manifest's own sites do not cover, and removed again as soon as enabledPlatforms drops
// it. platforms.json is the registry the manifest's content scripts are checked against (tests/js/test_registry.py).
const GENERIC_SCRIPT = "netral-generic";
let registryPromise = null; // read when the generic adapter is first synced, not at every cold start
const registry = () => (registryPromise ??= fetch(chrome.runtime.getURL("platforms.json")).then((response) => response.json()));
let genericSync = Promise.resolve();

/** The generic adapter's registration as the registry gives it, or null while policy leaves it off. */
async function genericScript() {
  const { scripts, platforms } = await registry();
  const generic = platforms.find((platform) => platform.opt_in);
  if (!(await companion.getConfig()).enabledPlatforms.includes(generic.key)) return null;
  return {
    id: GENERIC_SCRIPT,
    matches: generic.matches,
    excludeMatches: platforms.filter((platform) => !platform.opt_in).flatMap((platform) => platform.matches),
    js: [...scripts.before, generic.site, ...scripts.after],
    runAt: generic.run_at,
    allFrames: generic.all_frames,
  };
}

// A registration persists across sessions, so one left by an older version (other core files, all_frames) is
// replaced rather than kept. Chromium hands match patterns back sorted; the order of the scripts matters.
const scriptKey = (script) => JSON.stringify([script.matches.toSorted(), script.excludeMatches.toSorted(),
  script.js, script.runAt, script.allFrames]);

function syncGenericAdapter() {
  genericSync = genericSync.then(async () => {
    const wanted = await genericScript();
    const [registered] = await chrome.scripting.getRegisteredContentScripts({ ids: [GENERIC_SCRIPT] });
    if (wanted ? registered && scriptKey(wanted) === scriptKey(registered) : !registered) return;
    if (registered) await chrome.scripting.unregisterContentScripts({ ids: [GENERIC_SCRIPT] });
    if (wanted) await chrome.scripting.registerContentScripts([{ ...wanted, persistAcrossSessions: true }]);
  }).catch((error) => console.warn("Netral: generic adapter", error));
  return genericSync;
}

companion.onConfigChanged(syncGenericAdapter);

// The rules epoch: a new one (another bundle, a stage that began or ended) drops every verdict known so far, here
// and in the content scripts, which classify their posts again. Epochs arrive with every check answer and every
// status answer; an alarm asks for the status at the next stage boundary the status names, and at least every
// EPOCH_POLL_MS (a bundle swapped in the companion while the user only clicks posts already classified).
const EPOCH_ALARM = "netral-epoch";
const EPOCH_POLL_MS = 5 * 60 * 1000;

companion.onEpochChanged(async () => {
  verdicts.clear();
  for (const tab of await chrome.tabs.query({})) {
    chrome.tabs.sendMessage(tab.id, { what: "rulesChanged" }).catch(() => { /* no content script there */ });
  }
});

/** The first stage start or end after now among the status's elections, in ms, or Infinity. */
function nextBoundary(status) {
  const now = Date.now();
  const times = (status?.rules?.elections ?? [])
    .flatMap((election) => [election.active_stage?.until, election.next_stage?.from])
    .map((value) => Date.parse(value ?? ""))
    .filter((time) => time > now);
  return Math.min(...times);
}

companion.onStatus((status) => {
  // A second after the boundary, so the companion's clock has crossed it.
  const when = Math.min(Date.now() + EPOCH_POLL_MS, nextBoundary(status) + 1000);
  chrome.alarms.create(EPOCH_ALARM, { when }).catch(() => {});
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === EPOCH_ALARM) companion.connect({ force: true }).catch(() => { /* reported through link state */ });
});

// Whatever an earlier service-worker instance or browser session left queued is delivered by startDeferred().
