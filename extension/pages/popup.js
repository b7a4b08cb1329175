// The toolbar popup: is the companion there (proof checked), which rules bundle and election stage, is the pact
// accepted, what waits for delivery, what the log lost, where no action control matched; pairing when no token came
// from policy. It says only what is known: nothing about delivery or sites it could not see.

import {
  el, formatDate, formatDateTime, formatNumber, formatStageDay, initPage, linkAdvice, lossLines, platformName, send,
  show, t,
} from "./common.js";
import { pairingSection } from "./pairing.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const EXPIRY_NOTICE_DAYS = 30;

const $ = (id) => document.getElementById(id);

function renderConnection(state) {
  const { connected, proofOk, error, config } = state;
  const up = connected && proofOk;
  const stateLine = $("connection-state");
  stateLine.textContent = t(up ? "popupConnected" : "popupDisconnected");
  stateLine.className = `state ${up ? "ok" : "bad"}`;
  // Pairing is for a user without a policy token: unpaired, or a saved token the companion now refuses.
  const needsPairing = !up && ["unpaired", "unauthorized"].includes(error) && !config.managed.includes("companionToken");
  $("connection-advice").textContent = up ? t("popupProofOk") : needsPairing ? "" : linkAdvice(error, config);
  show($("connection-advice"), !needsPairing);
  show($("retry"), !up && !needsPairing);
  show($("connection"));
  const pairing = $("pairing");
  pairing.replaceChildren();
  if (needsPairing) pairing.append(pairingSection({ reason: error, onPaired: () => refresh({ focus: "connection-state" }) }));
}

function renderRules(status) {
  const rules = status?.rules;
  show($("rules"), Boolean(status));
  show($("rules-facts"), Boolean(rules));
  show($("no-rules"), Boolean(status) && !rules);
  const notice = $("expiry-notice");
  show(notice, false);
  if (!rules) return;
  $("bundle-id").textContent = rules.bundle_id;
  $("bundle-version").textContent = String(rules.version);
  const issuer = rules.issuer?.name ?? (rules.signed_by ?? []).join(", ");
  $("bundle-issuer").textContent = issuer || t("popupUnknown");
  $("bundle-expiry").textContent = formatDate(rules.expires_at);
  const left = new Date(rules.expires_at).getTime() - Date.now();
  const days = Math.floor(left / DAY_MS); // whole days left
  if (rules.expired || left <= 0) {
    notice.textContent = t("popupExpired", formatDate(rules.expires_at));
    show(notice);
  } else if (days <= EXPIRY_NOTICE_DAYS) {
    notice.textContent = days < 1 ? t("popupExpiresTomorrow") : t("popupExpiresSoon", formatNumber(days));
    show(notice);
  }
}

/**
 * What the status says about elections, one line each: every stage running now; else the next known one, which
 * is the stage starting first among the elections' `next_stage`, or, when no election has one, the elections
 * the bundle lists with no stages at all (`stages: 0`: scheduled, dates not yet set); else that none is known.
 */
function stageLines(elections) {
  const active = elections.filter((election) => election.active_stage);
  if (active.length) {
    return active.map((election) => {
      const { name, until } = election.active_stage;
      const text = until ? t("popupStageActive", election.name, name, formatStageDay(until, { last: true }))
        : t("popupStageName", election.name, name);
      return { id: election.id, text };
    });
  }
  const [next] = elections.filter((election) => election.next_stage)
    .sort((a, b) => Date.parse(a.next_stage.from) - Date.parse(b.next_stage.from));
  if (next) {
    const { name, from } = next.next_stage;
    return [{ id: next.id, text: t("popupStageNone", t("popupStageNext", next.name, name, formatStageDay(from))) }];
  }
  const scheduled = elections.filter((election) => election.stages === 0);
  if (scheduled.length) {
    const names = scheduled.map((election) => t("popupStageScheduled", election.name)).join("; ");
    return [{ id: scheduled.map((election) => election.id).join(" "), text: t("popupStageNone", names) }];
  }
  return [{ id: "", text: t("popupStageNoneKnown") }];
}

/** The election stage block; a bundle without elections says nothing about stages. */
function renderStages(rules) {
  const elections = Array.isArray(rules?.elections) ? rules.elections : [];
  show($("stages"), elections.length > 0);
  $("stages-list").replaceChildren(...(elections.length ? stageLines(elections) : [])
    .map(({ id, text }) => el("li", { "data-election": id || null }, text)));
}

function renderPact(status) {
  const pact = status?.pact;
  show($("pact"), Boolean(pact));
  if (!pact) return;
  const line = $("pact-state");
  const accepted = Boolean(pact.accepted_at);
  line.textContent = accepted ? t("popupPactAccepted", formatDateTime(pact.accepted_at)) : t("popupPactNotAccepted");
  line.className = `state ${accepted ? "ok" : "bad"}`;
  show($("open-pact"), !accepted);
}

/**
 * The queue as the extension's storage holds it (read here, so it is known even when the worker cannot answer): what
 * waits, and whether it is being sent (connected) or kept until the companion can record it. An empty queue claims
 * delivery only while connected; unreadable storage says the count is not known.
 */
async function renderQueue(connected) {
  let stored = null;
  try {
    stored = await chrome.storage.local.get(["ackQueue", "ackRejected"]);
  } catch { /* said below */ }
  const pending = stored ? (stored.ackQueue ?? []).length : null;
  const ackRejected = stored?.ackRejected ?? [];
  const line = $("queue-state");
  line.dataset.pending = pending ?? "unknown";
  if (pending === null) line.textContent = t("popupQueueUnknown");
  else if (pending > 0) line.textContent = t(connected ? "popupQueueSending" : "popupQueuePending", formatNumber(pending));
  else line.textContent = t(connected ? "popupQueueEmpty" : "popupQueueNoneWaiting");
  const rejected = $("queue-rejected");
  rejected.textContent = ackRejected.length ? t("popupQueueRejected", formatNumber(ackRejected.length)) : "";
  show(rejected, ackRejected.length > 0);
  show($("queue"));
}

/** What the log lost: the companion's own findings (only known while connected) and the extension's record's. */
async function renderLosses(status) {
  let extension = [];
  try {
    extension = (await chrome.storage.local.get("ackLosses")).ackLosses ?? [];
  } catch { /* the worker's answer had them too, but storage is where they live */ }
  const lines = lossLines(status?.acknowledgements?.losses, extension);
  $("losses-list").replaceChildren(...lines.map(({ source, kind, text }) =>
    el("li", { "data-source": source, "data-kind": kind }, text)));
  show($("losses"), lines.length > 0);
}

/** How many wrong matches the user reported from the warning (outcome `disputed` in the companion's log). */
async function renderReports(connected) {
  let line = $("queue-reports");
  if (!line) {
    line = el("p", { id: "queue-reports" });
    $("queue").append(line);
  }
  let count = 0;
  try {
    for (let after = 0; connected;) {
      const page = await send("history", { after_seq: after, limit: 1000 });
      count += page.items.filter((item) => item.outcome === "disputed").length;
      if (page.next_after_seq === null || page.next_after_seq === undefined) break;
      after = page.next_after_seq;
    }
  } catch {
    connected = false;
  }
  line.textContent = connected ? t("popupReportsCount", formatNumber(count)) : "";
  show(line, connected);
}

function siteLines(site) {
  const name = platformName(site.platform);
  const lines = [];
  if (site.postsSeen > 0 && site.controlsMatched === 0) lines.push(t("popupSiteBroken", name));
  if (site.unreadable > 0) lines.push(t("popupSiteUnreadable", name, formatNumber(site.unreadable)));
  if (site.problems?.length) lines.push(t("popupSiteProblems", name, site.problems.join("; ")));
  return lines;
}

/** Copies the sanitized skeleton of one post of a broken site, for the agency's selector hot-fix. */
async function copyReport(platform, status) {
  const { report } = await send("breakageReport", { platform }).catch(() => ({ report: null }));
  if (report) await navigator.clipboard.writeText(report);
  status.textContent = t(report ? "popupReportCopied" : "popupReportUnavailable");
}

/**
 * Sites with problems, each with its breakage report; otherwise "no problems" only for the sites whose tabs reported
 * to the worker (it forgets them when it stops), and that none was checked when none reported.
 */
function renderSites(breakage = [], seen = []) {
  const list = $("sites-broken");
  list.replaceChildren(...breakage.map((site) => {
    const status = el("p", { class: "report-status", role: "status" });
    const button = el("button", { type: "button", class: "secondary", "data-action": "copy-report" },
      t("popupCopyReport"));
    button.addEventListener("click", () => copyReport(site.platform, status));
    return el("li", { "data-platform": site.platform }, ...siteLines(site).map((line) => el("p", {}, line)),
      button, status);
  }));
  const broken = new Set(breakage.map((site) => site.platform));
  const fine = seen.filter((platform) => !broken.has(platform));
  const ok = $("sites-ok");
  ok.textContent = seen.length === 0 ? t("popupSitesNoneSeen")
    : fine.length ? t("popupSitesOkSeen", fine.map(platformName).join(", ")) : "";
  ok.dataset.seen = String(seen.length);
  show(ok, breakage.length === 0 || fine.length > 0);
  show(list, breakage.length > 0);
  show($("sites"));
}

async function refresh({ focus } = {}) {
  const main = $("main");
  main.setAttribute("aria-busy", "true");
  let state;
  try {
    state = await send("status");
  } catch {
    state = { connected: false, proofOk: false, error: "failed", status: null, pendingAcks: null, breakage: [],
      sitesSeen: [], config: { managed: [], companionUrl: "" } };
  }
  const up = state.connected && state.proofOk;
  lastStatus = up ? state.status : null;
  connectedNow = up;
  renderConnection(state);
  await renderLosses(lastStatus);
  renderRules(state.status);
  renderStages(state.status?.rules);
  renderPact(state.status);
  await renderQueue(up);
  await renderReports(up);
  renderSites(state.breakage, state.sitesSeen ?? []);
  $("companion-version").textContent = state.status?.companion_version
    ? t("popupCompanionVersion", state.status.companion_version) : "";
  show($("loading"), false);
  main.setAttribute("aria-busy", "false");
  document.body.dataset.state = state.connected && state.proofOk ? "connected" : state.error ?? "disconnected";
  if (focus) $(focus)?.focus?.();
}

let lastStatus = null; // the last status whose proof checked out, for the companion's losses
let connectedNow = false;

initPage();
// The worker delivers while the popup is open: the queue and the losses follow its storage.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "local") return;
  if ("ackQueue" in changes || "ackRejected" in changes) renderQueue(connectedNow);
  if ("ackLosses" in changes) renderLosses(lastStatus);
});
$("retry").addEventListener("click", () => refresh());
$("open-pact").addEventListener("click", async () => {
  await send("openPage", { page: "pact" });
  // The real popup closes once the pact opens in a tab; the popup opened as a tab (tests, zoom) stays.
  if (!(await chrome.tabs.getCurrent())) window.close();
});
refresh();
