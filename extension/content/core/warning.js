// The warning: <netral-warning> with an open shadow root holding a modal <dialog role="alertdialog">.
// showModal() gives focus-in, a Tab trap, Escape-to-cancel and an inert page; only trusted events count.
"use strict";

(() => {
  const STYLE = `
    :host { all: initial !important; display: block !important; position: fixed !important; inset: auto !important;
            opacity: 1 !important; visibility: visible !important; z-index: 2147483647 !important; }
    dialog { box-sizing: border-box; width: min(34rem, calc(100vw - 2rem)); max-height: calc(100vh - 2rem);
             overflow: auto; padding: 0; border: 0; border-radius: 14px; color: #1b1f24; background: #ffffff;
             box-shadow: 0 18px 50px rgba(15, 23, 42, 0.35); font: 15px/1.5 system-ui, -apple-system, "Segoe UI",
             Roboto, "Noto Sans", Arial, sans-serif; text-align: start; }
    dialog::backdrop { background: rgba(15, 23, 42, 0.55); }
    .band { height: 6px; background: var(--accent); border-radius: 14px 14px 0 0; }
    .body { padding: 20px 24px 8px; }
    h2 { margin: 0 0 8px; font-size: 19px; line-height: 1.3; font-weight: 700; color: #111418; display: flex; gap: 10px;
         align-items: flex-start; }
    .icon { flex: none; width: 26px; height: 26px; border-radius: 50%; background: var(--accent); color: #fff;
            font-weight: 800; display: inline-grid; place-items: center; font-size: 16px; margin-top: 1px; }
    p { margin: 0 0 10px; }
    ul { margin: 0 0 12px; padding: 0; list-style: none; }
    li.entity { padding: 10px 12px; border-radius: 10px; background: var(--tint); border: 1px solid var(--tint-border);
                margin-bottom: 8px; }
    .entity-name { font-weight: 700; }
    .kind { color: #3d4652; font-size: 13px; }
    .signals { font-size: 14px; color: #2b323b; margin-top: 2px; }
    .election { font-size: 14px; font-weight: 650; color: var(--accent-text); }
    p.election { margin: -4px 0 10px; }
    li.more { padding: 0 12px; font-size: 14px; color: #3d4652; }
    .bundle-message { color: #2b323b; }
    section.legal { border-top: 1px solid #d8dde3; padding-top: 10px; margin-top: 4px; font-size: 14px; }
    h3 { margin: 0 0 6px; font-size: 14px; text-transform: uppercase; letter-spacing: 0.04em; color: #3d4652; }
    .ref-title { font-weight: 700; }
    .sanction { color: #7a1f12; }
    .note { font-size: 13px; color: #3d4652; }
    .footer { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; justify-content: space-between;
              padding: 12px 24px 20px; }
    .buttons { display: flex; gap: 10px; flex-wrap: wrap; margin-inline-start: auto; }
    a { color: #0b57d0; text-underline-offset: 2px; font-size: 14px; }
    button { font: inherit; font-weight: 650; border-radius: 999px; padding: 9px 18px; cursor: pointer;
             border: 2px solid transparent; }
    button[data-netral-action="cancel"] { background: #1b1f24; color: #fff; }
    button[data-netral-action="proceed"] { background: #fff; color: #1b1f24; border-color: #5b6470; }
    button:hover { filter: brightness(1.12); }
    button:focus-visible, a:focus-visible { outline: 3px solid #0b57d0; outline-offset: 3px; }
    :host([data-verdict="warn"]) { --accent: #b45309; --accent-text: #8a3c06; --tint: #fff7ed; --tint-border: #fed7aa; }
    :host([data-verdict="block"]) { --accent: #b91c1c; --accent-text: #991b1b; --tint: #fef2f2; --tint-border: #fecaca; }
    :host([data-verdict="unchecked"]) { --accent: #475569; --accent-text: #334155; --tint: #f1f5f9;
                                        --tint-border: #cbd5e1; }
    @media (prefers-color-scheme: dark) {
      dialog { background: #1d2127; color: #e8eaed; }
      h2 { color: #f3f4f6; } .kind, h3, .note, .signals, .bundle-message, li.more { color: #c4cad2; }
      .election { color: #fdba74; }
      li.entity { background: #262b33; border-color: #3a414c; } .sanction { color: #fca5a5; }
      section.legal { border-color: #3a414c; } a { color: #8ab4f8; }
      button[data-netral-action="cancel"] { background: #e8eaed; color: #111418; }
      button[data-netral-action="proceed"] { background: transparent; color: #e8eaed; border-color: #9aa3ad; }
      button:focus-visible, a:focus-visible { outline-color: #8ab4f8; }
    }
    @media (prefers-reduced-motion: no-preference) {
      dialog[open] { animation: rise 120ms ease-out; }
      @keyframes rise { from { transform: translateY(6px); opacity: 0.6; } }
    }`;

  const ACTION_KEYS = { like: "actionLike", comment: "actionComment", share: "actionShare", post: "actionPost", follow: "actionFollow" };
  const KIND_KEYS = { candidate_pair: "signalKindCandidatePair", candidate: "signalKindCandidate", party: "signalKindParty", campaign: "signalKindCampaign" };
  const SIGNAL_KEYS = { account: "signalAccount", hashtag: "signalHashtag", name: "signalName", weak_name: "signalWeakName", context: "signalContext" };

  let current = null; // {host, dialog} while a warning is open

  const squash = (s) => String(s ?? "").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");

  /** Shows a signal in the spelling the user saw on the page (the companion reports normalised values). */
  function displayValue(signal, post) {
    const pool = signal.type === "hashtag" ? post?.hashtags
      : signal.type === "account" ? [post?.author_handle, post?.original_author_handle, ...(post?.mentions ?? [])]
        : null;
    const seen = pool?.find((v) => v && squash(v) === squash(signal.value));
    return seen ?? signal.value;
  }

  /** Drops a name that only repeats part of a longer matched name ("prabowo" beside "prabowo subianto"). */
  function conciseSignals(signals) {
    const names = signals.filter((s) => s.type === "name" || s.type === "weak_name").map((s) => ` ${s.value} `);
    const seen = new Set();
    return signals.filter((s) => {
      const key = `${s.type}|${s.value}`;
      if (seen.has(key)) return false;
      seen.add(key);
      if (s.type !== "name" && s.type !== "weak_name") return true;
      return !names.some((other) => other !== ` ${s.value} ` && other.includes(` ${s.value} `));
    });
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  /** "Pemilu 2024 · Masa kampanye": the election and stage a match counts in, or null for an always-active entity. */
  function electionText(election) {
    if (!election?.name) return null;
    return election.stage?.name ? Netral.t("warningElection", election.name, election.stage.name) : election.name;
  }

  /** The one election and stage every match shares, or null when they differ or none has one. */
  function sharedElection(matches) {
    const texts = new Set((matches ?? []).map((m) => electionText(m.election)));
    const [only] = texts;
    return texts.size === 1 ? only : null;
  }

  function entityList(matches, post, { perEntityElection, truncated }) {
    const list = el("ul", { "aria-label": Netral.t("warningSignalsLabel") });
    for (const match of matches ?? []) {
      const signals = conciseSignals(match.signals ?? [])
        .map((s) => Netral.t(SIGNAL_KEYS[s.type] ?? "signalName", displayValue(s, post)));
      const election = perEntityElection ? electionText(match.election) : null;
      list.append(el("li", { class: "entity" },
        el("div", { class: "entity-name" }, match.name ?? match.entity_id),
        KIND_KEYS[match.kind] ? el("div", { class: "kind" }, Netral.t(KIND_KEYS[match.kind])) : null,
        election ? el("div", { class: "election" }, election) : null,
        signals.length ? el("div", { class: "signals" }, `${Netral.t("warningSignalsLabel")}: ${signals.join(" · ")}`) : null));
    }
    if (truncated > 0) list.append(el("li", { class: "more" }, Netral.t("warningMoreMatches", truncated)));
    return list;
  }

  function legalSection(refs) {
    if (!refs?.length) return null;
    const section = el("section", { class: "legal" }, el("h3", {}, Netral.t("warningLegalHeading")));
    for (const ref of refs) {
      section.append(el("p", {},
        el("span", { class: "ref-title" }, ref.title ?? ref.id),
        ref.summary ? ` — ${ref.summary}` : null,
        ref.sanction ? el("br") : null,
        ref.sanction ? el("span", { class: "sanction" }, Netral.t("warningSanction", ref.sanction)) : null));
    }
    return section;
  }

  function build({ verdict, response, action, post }) {
    const actionText = Netral.t(ACTION_KEYS[action] ?? "actionLike");
    const titleKey = { warn: "warningTitleWarn", block: "warningTitleBlock", unchecked: "warningTitleUnchecked" }[verdict];
    const body = el("div", { class: "body" },
      el("h2", { id: "netral-title" }, el("span", { class: "icon", "aria-hidden": "true" }, "!"), Netral.t(titleKey)));
    const description = el("div", { id: "netral-description" });
    if (verdict === "unchecked") {
      description.append(el("p", {}, Netral.t("warningLeadUnchecked", actionText)),
        el("p", {}, Netral.t("warningUncheckedAdvice")));
    } else {
      const shared = sharedElection(response.matches);
      if (shared) description.append(el("p", { class: "election" }, shared));
      description.append(el("p", {}, Netral.t("warningLead", actionText)), entityList(response.matches, post, {
        perEntityElection: !shared, truncated: Number(response.matches_truncated) || 0,
      }));
      if (response.message?.body) description.append(el("p", { class: "bundle-message" }, response.message.body));
      if (verdict === "block") description.append(el("p", {}, el("strong", {}, Netral.t("warningBlocked"))));
    }
    body.append(description, legalSection(response?.legal_refs), el("p", { class: "note" }, Netral.t("warningAckNote")));

    const historyUrl = chrome.runtime.getURL("pages/history.html");
    const history = el("a", { href: historyUrl, target: "_blank", rel: "noopener", "data-netral-link": "history" },
      Netral.t("warningHistoryLink"));
    const buttons = el("div", { class: "buttons" },
      el("button", { type: "button", "data-netral-action": "cancel", autofocus: "" },
        Netral.t(verdict === "block" ? "warningClose" : "warningCancel")));
    if (verdict !== "block") {
      buttons.append(el("button", { type: "button", "data-netral-action": "proceed" }, Netral.t("warningProceed")));
    }
    const dialog = el("dialog", { role: "alertdialog", "aria-modal": "true", "aria-labelledby": "netral-title",
      "aria-describedby": "netral-description", lang: Netral.lang },
    el("div", { class: "band", "aria-hidden": "true" }), body, el("div", { class: "footer" }, history, buttons));
    return { dialog, history };
  }

  // Events inside the warning must not reach the site's own document/window listeners (e.g. X's `l` shortcut).
  const CONTAINED = ["keydown", "keyup", "keypress", "click", "dblclick", "mousedown", "mouseup", "pointerdown",
    "pointerup", "input", "focusin", "focusout"];

  /**
   * Shows the warning and resolves to "proceeded" or "cancelled". Proceed counts only for a trusted click on the
   * proceed button of the open, visible dialog; anything else that closes or removes it is a cancel.
   */
  function show({ verdict, response, action, post, returnFocus }) {
    if (current) current.finish("cancelled");
    const host = document.createElement("netral-warning");
    host.setAttribute("data-verdict", verdict);
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    const { dialog, history } = build({ verdict, response, action, post });
    root.append(style, dialog);
    for (const type of CONTAINED) host.addEventListener(type, (event) => event.stopPropagation());
    // A key still held from the action that opened the warning must not auto-repeat into its buttons.
    host.addEventListener("keydown", (event) => { if (event.repeat) event.preventDefault(); }, true);

    return new Promise((resolve) => {
      let done = false;
      const watcher = new MutationObserver(() => { if (!host.isConnected) finish("cancelled"); });
      function finish(outcome) {
        if (done) return;
        done = true;
        watcher.disconnect();
        current = null;
        if (dialog.open) dialog.close();
        host.remove();
        if (returnFocus?.isConnected) returnFocus.focus({ preventScroll: true });
        resolve(outcome);
      }
      const visible = () => dialog.open && host.isConnected &&
        dialog.checkVisibility({ opacityProperty: true, visibilityProperty: true });

      root.querySelector('[data-netral-action="cancel"]').addEventListener("click", (event) => {
        if (event.isTrusted) finish("cancelled");
      });
      root.querySelector('[data-netral-action="proceed"]')?.addEventListener("click", (event) => {
        if (event.isTrusted && visible()) finish("proceeded");
      });
      history.addEventListener("click", (event) => {
        event.preventDefault();
        if (event.isTrusted) Netral.send("openPage", { page: "history" }).catch(() => {});
      });
      // Escape (cancel event) and any dialog.close() a page script might call end as a cancel.
      dialog.addEventListener("close", () => finish("cancelled"));

      document.documentElement.append(host);
      dialog.showModal();
      watcher.observe(document.documentElement, { childList: true });
      current = { host, dialog, finish };
    });
  }

  Netral.warning = {
    show,
    isOpen: () => current !== null,
    /** True when an event happened inside the open warning. */
    contains: (event) => current !== null && event.composedPath().includes(current.host),
  };
})();
