// Pairing, shared by the popup and the first-run page: how to get a code from `netral-companion pair`,
// the code field, and for every failure what to do next.

import { el, send, show, t } from "./common.js";

const ERROR_KEYS = {
  unreachable: "pairErrorUnreachable",
  timeout: "pairErrorUnreachable",
  wrong_code: "pairErrorWrongCode",
  expired: "pairErrorExpired",
};

/**
 * The pairing section, ready to insert; `onPaired()` runs after the companion gave the extension its token.
 * `reason` is why we are not connected ("unpaired" or "unauthorized": a saved token the companion refused).
 */
export function pairingSection({ onPaired, reason = "unpaired", headingLevel = 2 }) {
  const input = el("input", {
    id: "pair-code", name: "code", type: "text", autocomplete: "off", autocapitalize: "characters",
    spellcheck: "false", maxlength: 32, "aria-describedby": "pair-hint pair-message", required: true,
    placeholder: "K7QM-3XTA",
  });
  const message = el("p", { id: "pair-message", class: "message", role: "status", "aria-live": "polite" });
  const button = el("button", { type: "submit", class: "primary", i18n: "pairSubmit" });
  const form = el("form", { class: "pair-form", novalidate: true },
    el("label", { for: "pair-code", i18n: "pairCodeLabel" }),
    el("div", { class: "inline-field" }, input, button),
    el("p", { id: "pair-hint", class: "hint", i18n: "pairCodeHint" }),
    message);

  const say = (key, kind) => {
    message.textContent = key ? t(key) : "";
    message.className = `message ${kind ?? ""}`.trim();
    input.setAttribute("aria-invalid", String(kind === "error"));
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (!code) {
      say("pairErrorEmpty", "error");
      input.focus();
      return;
    }
    button.disabled = true;
    say("pairWorking");
    let answer;
    try {
      answer = await send("pair", { code });
    } catch {
      answer = { ok: false, error: "failed" };
    }
    button.disabled = false;
    if (answer?.ok) {
      say("pairSuccess", "ok");
      input.value = "";
      onPaired?.();
      return;
    }
    say(ERROR_KEYS[answer?.error] ?? "pairErrorOther", "error");
    input.select();
    input.focus();
  });

  const section = el("section", { class: "card pairing", "aria-labelledby": "pair-heading" },
    el(`h${headingLevel}`, { id: "pair-heading", i18n: "pairHeading" }),
    el("p", { i18n: reason === "unauthorized" ? "pairIntroRefused" : "pairIntro" }),
    el("ol", { class: "steps" },
      el("li", { i18n: "pairStep1" }),
      el("li", {}, el("span", { i18n: "pairStep2" }), " ", el("code", {}, "netral-companion pair")),
      el("li", { i18n: "pairStep3" })),
    form);
  show(section);
  return section;
}
