// The history page: the user's own acknowledgement log from the companion, newest first, paged, filtered by
// platform, outcome and election, with the hash-chain check and what the log lost, and exported to CSV or JSON in the
// browser. Entities show by the current bundle's names, times in local time with the zone.

import {
  PLATFORMS, actionName, el, formatDateTime, formatNumber, initPage, linkAdvice, lossLines, platformName, send, show, t,
} from "./common.js";

const PAGE_SIZE = 20;
const FETCH_LIMIT = 1000; // the companion's largest page
const EXPORT_COLUMNS = ["seq", "kind", "occurred_at", "recorded_at", "platform", "action", "outcome", "entity_ids",
  "election_ids", "bundle_id", "rules_version", "check_id", "ack_id", "justification", "signals", "note", "pact_id",
  "name", "nip", "hash"];
const OUTCOME_KEYS = { proceeded: "historyOutcomeProceeded", cancelled: "historyOutcomeCancelled", pact: "historyOutcomePact",
  interrupted: "historyOutcomeInterrupted", disputed: "historyOutcomeDisputed" };

const $ = (id) => document.getElementById(id);
const view = { items: [], chain: null, page: 0, elections: new Map() }; // elections: id -> name, from the status

const isPact = (item) => item.kind === "pact_acceptance";
const outcomeOf = (item) => (isPact(item) ? "pact" : item.outcome);

/** Every row of the log, newest first (the companion pages oldest first by seq). */
async function fetchAll() {
  const items = [];
  let after = 0;
  for (;;) {
    const page = await send("history", { after_seq: after, limit: FETCH_LIMIT });
    items.push(...page.items);
    if (page.next_after_seq === null || page.next_after_seq === undefined) break;
    after = page.next_after_seq;
  }
  return items.sort((a, b) => b.seq - a.seq);
}

const electionIds = (item) => (Array.isArray(item.election_ids) ? item.election_ids : []);
/** An election's name in the page's language from the current bundle; an id it no longer lists stays as it is. */
const electionName = (id) => view.elections.get(id) ?? id;

/** An entity's name in the bundle accepted now (the companion's `entity_names`); an id it no longer has stays. */
function entityName(item, id) {
  const name = item.entity_names?.[id];
  return typeof name === "string" && name ? name : id;
}

function filtered() {
  const platform = $("filter-platform").value;
  const outcome = $("filter-outcome").value;
  const election = $("filter-election").value;
  return view.items.filter((item) => (!platform || item.platform === platform) &&
    (!outcome || outcomeOf(item) === outcome) && (!election || electionIds(item).includes(election)));
}

function cell(className, ...children) {
  return el("td", { class: className }, ...children);
}

function row(item) {
  const when = item.occurred_at ?? item.recorded_at;
  const outcome = outcomeOf(item);
  const rules = isPact(item) ? item.pact_id : item.bundle_id ? `${item.bundle_id} v${item.rules_version ?? "?"}` : "—";
  return el("tr", { "data-seq": item.seq },
    cell("when", el("time", { datetime: when }, formatDateTime(when))),
    cell("platform", item.platform ? platformName(item.platform) : "—"),
    cell("action", isPact(item) ? t("historyActionPact") : actionName(item.action)),
    cell("outcome", el("span", { class: `outcome ${outcome}` }, OUTCOME_KEYS[outcome] ? t(OUTCOME_KEYS[outcome]) : outcome ?? "")),
    cell("entities", item.entity_ids?.length ? item.entity_ids.map((id) => entityName(item, id)).join(", ") : "—"),
    cell("election", electionIds(item).length ? electionIds(item).map(electionName).join(", ") : "—"),
    cell("rules", rules),
    cell("seq", String(item.seq)));
}

function render() {
  const items = filtered();
  const pages = Math.max(1, Math.ceil(items.length / PAGE_SIZE));
  view.page = Math.min(view.page, pages - 1);
  const start = view.page * PAGE_SIZE;
  const shown = items.slice(start, start + PAGE_SIZE);
  $("rows").replaceChildren(...shown.map(row));
  const nothingYet = view.items.length === 0;
  show($("table"), shown.length > 0);
  show($("filters"), !nothingYet);
  show($("pager"), pages > 1);
  $("empty").textContent = t(nothingYet ? "historyNothingYet" : "historyEmpty");
  show($("empty"), shown.length === 0);
  $("summary").textContent = items.length
    ? t("historySummary", formatNumber(start + 1), formatNumber(start + shown.length), formatNumber(items.length))
    : "";
  $("page-of").textContent = t("historyPageOf", formatNumber(view.page + 1), formatNumber(pages));
  $("newer").disabled = view.page === 0;
  $("older").disabled = view.page >= pages - 1;
  $("export-csv").disabled = $("export-json").disabled = items.length === 0;
}

function renderChain(chain) {
  const line = $("chain");
  if (chain?.ok && chain.count === 0) {
    show(line, false);
    return;
  }
  if (!chain) {
    line.textContent = t("historyChainUnknown");
    line.className = "notice warn";
  } else if (chain.ok) {
    line.textContent = t("historyChainOk", formatNumber(chain.count));
    line.className = "notice ok";
  } else if (chain.first_bad_seq === null || chain.first_bad_seq === undefined) {
    // The rows present chain correctly; what is missing is said line by line below.
    line.textContent = t("historyChainIntactButLost", formatNumber(chain.count));
    line.className = "notice warn";
  } else {
    line.textContent = t("historyChainBroken", String(chain.first_bad_seq ?? "?"));
    line.className = "notice bad";
  }
  show(line);
}

/** What the log lost, from the companion's witness (through the chain check) and the extension's own record. */
async function renderLosses(chain) {
  let extension = [];
  try {
    extension = (await chrome.storage.local.get("ackLosses")).ackLosses ?? [];
  } catch { /* nothing the extension knows of */ }
  const lines = lossLines(chain?.losses, extension);
  $("losses").replaceChildren(...lines.map(({ source, kind, text }) =>
    el("li", { "data-source": source, "data-kind": kind }, text)));
  show($("losses"), lines.length > 0);
}

function fillPlatforms() {
  const present = new Set(view.items.map((item) => item.platform).filter(Boolean));
  const select = $("filter-platform");
  select.replaceChildren(select.options[0],
    ...PLATFORMS.filter((p) => present.has(p)).map((p) => el("option", { value: p }, platformName(p))));
}

/** The elections the log names, in the bundle's order, then any the bundle no longer lists; hidden when none. */
function fillElections() {
  const present = new Set(view.items.flatMap(electionIds));
  const ordered = [...view.elections.keys()].filter((id) => present.has(id));
  const ids = [...ordered, ...[...present].filter((id) => !view.elections.has(id)).sort()];
  const select = $("filter-election");
  select.replaceChildren(select.options[0], ...ids.map((id) => el("option", { value: id }, electionName(id))));
  show($("election-filter"), ids.length > 0);
}

/** A CSV field: quoted when needed, and a leading = + - @ neutralised so a spreadsheet shows it as text. */
function csvField(value) {
  // A dispute's signals [{type, value}] read as "hashtag:prabowogibran2024;name:coblos 02".
  const part = (v) => (v && typeof v === "object" ? `${v.type}:${v.value}` : v);
  let text = Array.isArray(value) ? value.map(part).join(";") : value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function toCsv(items) {
  const lines = [EXPORT_COLUMNS.join(",")];
  for (const item of items) lines.push(EXPORT_COLUMNS.map((column) => csvField(item[column])).join(","));
  // The BOM lets spreadsheet programs read the file as UTF-8.
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

function toJson(items) {
  const records = items.map((item) => Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, item[column] ?? null])));
  return JSON.stringify({
    exported_at: new Date().toISOString(),
    filters: { platform: $("filter-platform").value || null, outcome: $("filter-outcome").value || null,
      election: $("filter-election").value || null },
    chain: view.chain,
    items: records,
  }, null, 2);
}

function download(text, type, extension) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: `netral-history-${new Date().toISOString().slice(0, 10)}.${extension}` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function load() {
  const main = $("main");
  let items;
  try {
    items = await fetchAll();
  } catch {
    const state = await send("status").catch(() => ({ error: "failed", config: {} }));
    const reason = state.connected && state.proofOk ? "other" : state.error;
    $("problem").textContent = `${t("historyUnavailable")} ${linkAdvice(reason, state.config)}`;
    show($("problem"));
    await renderLosses(null); // the extension's own record survives a companion that is gone
    show($("loading"), false);
    main.setAttribute("aria-busy", "false");
    document.body.dataset.state = "error";
    return;
  }
  view.items = items;
  const [chain, state] = await Promise.all([send("verifyChain").catch(() => null), send("status").catch(() => null)]);
  view.chain = chain;
  view.elections = new Map((state?.status?.rules?.elections ?? []).map((election) => [election.id, election.name]));
  renderChain(view.chain);
  await renderLosses(view.chain);
  fillPlatforms();
  fillElections();
  render();
  show($("loading"), false);
  show($("log"));
  main.setAttribute("aria-busy", "false");
  document.body.dataset.state = "ready";
}

initPage();
for (const id of ["filter-platform", "filter-outcome", "filter-election"]) {
  $(id).addEventListener("change", () => { view.page = 0; render(); });
}
$("filters").addEventListener("submit", (event) => event.preventDefault());
/** Moves `by` pages; focus stays on a usable pager button when the pressed one becomes disabled. */
function turn(by, pressed, other) {
  view.page += by;
  render();
  if (pressed.disabled) other.focus();
}
$("newer").addEventListener("click", () => turn(-1, $("newer"), $("older")));
$("older").addEventListener("click", () => turn(1, $("older"), $("newer")));
$("export-csv").addEventListener("click", () => download(toCsv(filtered()), "text/csv;charset=utf-8", "csv"));
$("export-json").addEventListener("click", () => download(toJson(filtered()), "application/json", "json"));
load();
