// The first-run page: the integrity pact (pakta integritas) from the accepted rules bundle, and the
// civil servant's acceptance (name and NIP optional), recorded by the companion in the acknowledgement chain.

import { formatDateTime, initPage, linkAdvice, send, show, t } from "./common.js";
import { renderMarkdown } from "./markdown.js";
import { pairingSection } from "./pairing.js";

const NIP_LENGTH = 18;
const $ = (id) => document.getElementById(id);
let pact = null;

function problem(text) {
  $("problem").textContent = text;
  show($("problem"), Boolean(text));
}

function showAccepted(acceptedAt, { focus = false } = {}) {
  $("accepted-text").textContent = t("pactAcceptedOn", formatDateTime(acceptedAt));
  show($("accepted"));
  show($("accept-form"), false);
  if (focus) $("accepted-text").focus();
}

async function load() {
  const main = $("main");
  main.setAttribute("aria-busy", "true");
  let state;
  try {
    state = await send("status");
  } catch {
    state = { connected: false, error: "failed", config: {} };
  }
  show($("loading"), false);
  const pairing = $("pairing");
  pairing.replaceChildren();
  const up = state.connected && state.proofOk;
  pact = up ? state.status?.pact ?? null : null;
  show($("pact-text"), false);
  show($("pact-text-missing"), false);
  show($("accept-form"), false);
  show($("accepted"), false);

  if (!up) {
    const canPair = ["unpaired", "unauthorized"].includes(state.error) && !state.config?.managed?.includes("companionToken");
    problem(`${t("pactNeedsCompanion")} ${canPair ? "" : linkAdvice(state.error, state.config)}`.trim());
    if (canPair) pairing.append(pairingSection({ reason: state.error, onPaired: () => load() }));
  } else if (!state.status.rules) {
    problem(t("pageNoRules"));
  } else if (!pact) {
    problem(t("pactNoPact"));
  } else {
    problem("");
    $("pact-title").textContent = pact.title || t("pactHeading");
    document.title = `${pact.title || t("pactHeading")} · Netral`;
    if (typeof pact.text === "string" && pact.text.trim()) {
      $("pact-text").replaceChildren(renderMarkdown(pact.text));
      show($("pact-text"));
    } else {
      show($("pact-text-missing"));
    }
    if (pact.accepted_at) showAccepted(pact.accepted_at);
    else show($("accept-form"));
  }
  main.setAttribute("aria-busy", "false");
  document.body.dataset.state = !up ? "disconnected" : pact ? (pact.accepted_at ? "accepted" : "open") : "nopact";
}

/** The typed NIP without spaces, dots and dashes, and the polite sentence when it is not 18 digits. */
function checkNip(raw) {
  const nip = raw.replace(/[\s.-]/g, "");
  if (!nip) return { nip, error: null };
  if (!/^\d+$/.test(nip)) return { nip, error: t("pactNipDigitsOnly") };
  if (nip.length !== NIP_LENGTH) return { nip, error: t("pactNipLength", String(nip.length)) };
  return { nip, error: null };
}

function fieldError(input, messageEl, text) {
  messageEl.textContent = text ?? "";
  show(messageEl, Boolean(text));
  input.setAttribute("aria-invalid", String(Boolean(text)));
}

async function submit(event) {
  event.preventDefault();
  const form = $("accept-form");
  const message = $("form-message");
  message.textContent = "";
  message.className = "message";
  const { nip, error } = checkNip($("nip").value);
  fieldError($("nip"), $("nip-error"), error);
  const agreed = $("agree").checked;
  fieldError($("agree"), $("agree-error"), agreed ? null : t("pactAgreeRequired"));
  if (error) return $("nip").focus();
  if (!agreed) return $("agree").focus();

  const button = $("accept");
  button.disabled = true;
  message.textContent = t("pactSaving");
  try {
    const answer = await send("acceptPact", { pact_id: pact.id, name: $("name").value.trim(), nip });
    if (!answer?.ok) throw new Error("not recorded");
    form.reset();
    showAccepted(answer.accepted_at, { focus: true });
  } catch {
    message.textContent = t("pactAcceptFailed");
    message.className = "message error";
  } finally {
    button.disabled = false;
  }
}

initPage();
$("accept-form").addEventListener("submit", submit);
// Paired from the popup while this page was open: show the pact without a reload.
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local" && "companionToken" in changes) load();
});
load();
