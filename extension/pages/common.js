// What every page of the extension shares: chrome.i18n applied through data-i18n attributes, a DOM builder,
// the service-worker messages, dates in the browser's language and the platforms' display names.

/** The message `key` in the browser's language (chrome.i18n picks the catalogue), with substitutions. */
export function t(key, ...substitutions) {
  return chrome.i18n.getMessage(key, substitutions.map(String)) || key;
}

const I18N_ATTRIBUTES = { i18nAriaLabel: "aria-label", i18nPlaceholder: "placeholder", i18nTitle: "title" };

/**
 * Fills every `data-i18n` element's text and every `data-i18n-aria-label` / `-placeholder` / `-title`
 * attribute under `root` from the catalogue.
 */
export function applyI18n(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const [data, attribute] of Object.entries(I18N_ATTRIBUTES)) {
    const selector = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const node of root.querySelectorAll(selector)) node.setAttribute(attribute, t(node.dataset[data]));
  }
}

/** The catalogue's language ("id" or "en"): what the page is written in, for `lang` and date formats. */
export const lang = t("pageLang");

/** Localises the document: `<html lang>` and every data-i18n attribute. */
export function initPage() {
  document.documentElement.lang = lang;
  applyI18n(document);
}

/**
 * el("p", {class: "hint", i18n: "pageLoading"}, child, …): an element; `i18n` sets data-i18n and the text, other
 * attributes are set as given (false/null skip), children are nodes or strings (always text, never HTML).
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "i18n") {
      node.dataset.i18n = value;
      node.textContent = t(value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** Shows or hides an element (the `hidden` attribute, so hidden content is out of the accessibility tree). */
export function show(node, visible = true) {
  node.hidden = !visible;
}

/** One request to the service worker's router; rejects with the router's error. */
export async function send(what, payload = {}) {
  const answer = await chrome.runtime.sendMessage({ what, ...payload });
  if (answer && typeof answer === "object" && "error" in answer && Object.keys(answer).length === 1) {
    throw new Error(answer.error);
  }
  return answer;
}

/** What to do when the service worker cannot use the companion, by its reason word, as one sentence. */
export function linkAdvice(error, config) {
  const policyToken = config?.managed?.includes("companionToken");
  const key = {
    unpaired: "pageAdviceUnpaired",
    unauthorized: policyToken ? "pageAdviceRefusedPolicy" : "pageAdviceRefused",
    unreachable: "pageAdviceUnreachable",
    timeout: "pageAdviceUnreachable",
    proof_mismatch: "pageAdviceProof",
  }[error] ?? "pageAdviceOther";
  return t(key, config?.companionUrl || "http://127.0.0.1:47613", error ?? "");
}

const LOCALES = { id: "id-ID", en: "en-GB" };

/**
 * A date and local time in the page's language with the computer's time zone, "1 Des 2026, 10.15 WIB" or
 * "1 Dec 2026, 10:15 GMT+7" (a log read in Makassar or exported to Jakarta must say which clock it shows), or ""
 * for a missing value.
 */
export function formatDateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(LOCALES[lang] ?? lang, { day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(date);
}

/** One line for a loss the companion's witness found (`status.acknowledgements.losses`, companion/witness.py). */
function companionLossLine(loss) {
  const when = formatDateTime(loss.detected_at);
  switch (loss.kind) {
    case "rolled_back":
      return t("pageLossRolledBack", formatNumber(loss.lost), formatNumber(loss.expected_seq),
        formatNumber(loss.found_seq), when);
    case "rewritten": return t("pageLossRewritten", String(loss.expected_seq), when);
    case "witness_missing": return t("pageLossWitnessMissing", when);
    case "witness_untrusted": return t("pageLossWitnessUntrusted", when);
    default: return t("pageLossOther", when, String(loss.detail ?? loss.kind ?? ""));
  }
}

/** One line for a loss the extension's own record found (background/log_record.js). */
function extensionLossLine(loss) {
  const when = formatDateTime(loss.detected_at);
  if (loss.kind === "rewritten") return t("pageLossReceiptMismatch", String(loss.expected_seq), when);
  if (loss.found_seq === null || loss.found_seq === undefined) return t("pageLossBehindGone", String(loss.expected_seq), when);
  if (loss.found_seq === 0) return t("pageLossBehindEmpty", String(loss.expected_seq), when);
  return t("pageLossBehind", String(loss.expected_seq), String(loss.found_seq), when);
}

/**
 * What was lost from the log, one sentence each with what to do: the companion's losses first, then those only the
 * extension's record shows. `source` says whose it is ("companion" or "extension"), for the pages' markup.
 */
export function lossLines(companionLosses = [], extensionLosses = []) {
  const advice = t("pageLossAdvice");
  const list = (losses) => (Array.isArray(losses) ? losses.filter((loss) => loss && typeof loss === "object") : []);
  return [
    ...list(companionLosses).map((loss) => ({ source: "companion", kind: loss.kind, text: `${companionLossLine(loss)} ${advice}` })),
    ...list(extensionLosses).map((loss) => ({ source: "extension", kind: loss.kind, text: `${extensionLossLine(loss)} ${advice}` })),
  ];
}

/** A date in the page's language. */
export function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(LOCALES[lang] ?? lang, { dateStyle: "long" }).format(date);
}

/**
 * The calendar day of a stage's `from` or `until` in the page's language, in the timestamp's own UTC offset (KPU
 * sets dates in WIB, WITA or WIT, whatever the computer's clock says). `until` ends a stage exclusively
 * (`[from, until)`), so with `last` it gives the stage's last day: "until 2024-02-11T00:00+07:00" is 10 Feb.
 */
export function formatStageDay(iso, { last = false } = {}) {
  const time = Date.parse(iso ?? "");
  if (Number.isNaN(time)) return String(iso ?? "");
  const offset = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
  const minutes = offset ? (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) : 0;
  const wallClock = new Date(time + minutes * 60_000 - (last ? 1 : 0));
  return new Intl.DateTimeFormat(LOCALES[lang] ?? lang, { dateStyle: "medium", timeZone: "UTC" }).format(wallClock);
}

/** A whole number in the page's language. */
export function formatNumber(value) {
  return new Intl.NumberFormat(LOCALES[lang] ?? lang).format(value);
}

/** The spec's platform keys in its order; brand names are the same in every language. */
export const PLATFORMS = ["x", "facebook", "instagram", "tiktok", "youtube", "threads", "whatsapp", "other"];
const BRANDS = { x: "X", facebook: "Facebook", instagram: "Instagram", tiktok: "TikTok", youtube: "YouTube",
  threads: "Threads", whatsapp: "WhatsApp" };

export function platformName(platform) {
  if (platform === "other") return t("pagePlatformOther");
  return BRANDS[platform] ?? String(platform ?? "");
}

const ACTION_KEYS = { like: "pageActionLike", comment: "pageActionComment", share: "pageActionShare",
  post: "pageActionPost", follow: "pageActionFollow" };

/** An action as a short label ("Like", "Suka"), for tables. */
export function actionName(action) {
  return ACTION_KEYS[action] ? t(ACTION_KEYS[action]) : String(action ?? "");
}
