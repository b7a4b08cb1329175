// The warning's own document, chrome-extension://ID/pages/warning.html#NONCE, framed by the content script inside
// a closed shadow root. It takes its data only from the MessagePort the content script hands over with the nonce
// (the page can neither read that URL nor this document), answers the decision through that port, and lets
// "proceed" count only after the dialog was fully visible (IntersectionObserver v2, measured here, in this
// document, where the page cannot fake it) for MIN_VISIBLE_MS before a trusted click or key.
"use strict";

(() => {
  const MIN_VISIBLE_MS = 500;
  const CHECK_MS = 1200; // how often a warning that is not fully visible says so
  const FOCUS_FRAMES = 10; // frames after the reveal, and after the host moved the frame, that put a lost focus back
  const NOTE_MAX = 500;
  const ACTION_KEYS = { like: "warningActionLike", comment: "warningActionComment", share: "warningActionShare",
    post: "warningActionPost", follow: "warningActionFollow" };
  const KIND_KEYS = { candidate_pair: "signalKindCandidatePair", candidate: "signalKindCandidate",
    party: "signalKindParty", campaign: "signalKindCampaign" };
  const SIGNAL_KEYS = { account: "signalAccount", hashtag: "signalHashtag", name: "signalName",
    weak_name: "signalWeakName", context: "signalContext" };
  const TITLE_KEYS = { warn: "warningTitleWarn", block: "warningTitleBlock", unchecked: "warningTitleUnchecked" };

  const nonce = location.hash.slice(1);
  const dialog = document.getElementById("warning");
  const t = (key, ...substitutions) => chrome.i18n.getMessage(key, substitutions.map(String)) || key;
  document.documentElement.lang = chrome.i18n.getUILanguage().toLowerCase().startsWith("en") ? "en" : "id";

  let port = null;
  let decided = false;
  let visibleSince = null; // this document's time since when the dialog has been fully visible, else null
  let armTimer = 0;
  let stagedId = null; // the warning rendered here, waiting to be revealed
  let revealed = false;
  let renderedAt = null; // when the staged warning was rendered (the frame after it), and when its host was shown
  let paintedAt = null;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    node.append(...children.filter((c) => c !== null && c !== undefined && c !== ""));
    return node;
  }

  /** "Pemilu 2024 · Masa kampanye", or null for an entity that counts at every time. */
  function electionText(election) {
    if (!election?.name) return null;
    return election.stage?.name ? t("warningElection", election.name, election.stage.name) : election.name;
  }

  /** The one election and stage every match shares, or null when they differ or none has one. */
  function sharedElection(matches) {
    const texts = new Set(matches.map((m) => electionText(m.election)));
    const [only] = texts;
    return texts.size === 1 ? only : null;
  }

  function entityList(matches, perEntityElection, truncated) {
    const list = el("ul", { "aria-label": t("warningSignalsLabel") });
    for (const match of matches) {
      const signals = (match.signals ?? []).map((s) => t(SIGNAL_KEYS[s.type] ?? "signalName", s.value));
      list.append(el("li", { class: "entity" },
        el("div", { class: "entity-name" }, match.name || match.entity_id || ""),
        KIND_KEYS[match.kind] ? el("div", { class: "kind" }, t(KIND_KEYS[match.kind])) : null,
        perEntityElection && electionText(match.election)
          ? el("div", { class: "election" }, electionText(match.election)) : null,
        signals.length ? el("div", { class: "signals" }, `${t("warningSignalsLabel")}: ${signals.join(" · ")}`) : null));
    }
    if (truncated > 0) list.append(el("li", { class: "more" }, t("warningMoreMatches", truncated)));
    return list;
  }

  /** Each legal reference is one line that opens (native <details>) to its summary and sanction. */
  function legalSection(refs) {
    if (!refs?.length) return null;
    const section = el("section", { class: "legal", "aria-labelledby": "legal-heading" },
      el("h2", { id: "legal-heading" }, t("warningLegalHeading")));
    for (const ref of refs) {
      const title = ref.title || ref.id || "";
      section.append(el("details", { "data-ref": ref.id ?? "" },
        el("summary", { title }, title),
        ref.summary ? el("p", {}, ref.summary) : null,
        ref.sanction ? el("p", { class: "sanction" }, t("warningSanction", ref.sanction)) : null));
    }
    return section;
  }

  function reportForm() {
    const note = el("textarea", { id: "report-note", maxlength: String(NOTE_MAX), rows: "3" });
    const count = el("p", { class: "count", id: "report-count", "aria-live": "polite" }, t("warningReportCount", 0, NOTE_MAX));
    note.addEventListener("input", () => { count.textContent = t("warningReportCount", note.value.length, NOTE_MAX); });
    const form = el("form", { class: "report", hidden: "" },
      el("p", {}, t("warningReportLead")),
      el("label", { for: "report-note" }, t("warningReportNoteLabel")), note, count,
      el("div", { class: "buttons" },
        el("button", { type: "button", class: "secondary", "data-netral-action": "report-back" }, t("warningReportBack")),
        el("button", { type: "submit", class: "primary", "data-netral-action": "dispute" }, t("warningReportSend"))));
    return form;
  }

  function render({ verdict, action, matches = [], truncated = 0, message, legal_refs: refs }) {
    document.body.dataset.verdict = verdict;
    const actionText = t(ACTION_KEYS[action] ?? "warningActionLike");
    const shared = verdict === "unchecked" ? null : sharedElection(matches);
    const header = el("header", {},
      el("h1", { id: "title" }, el("span", { class: "icon", "aria-hidden": "true" }, "!"), t(TITLE_KEYS[verdict])),
      shared ? el("p", { class: "election", "data-netral-part": "election" }, shared) : null);
    const description = el("div", { id: "description" });
    if (verdict === "unchecked") {
      description.append(el("p", { "data-netral-part": "action" }, t("warningLeadUnchecked", actionText)),
        el("p", {}, t("warningUncheckedAdvice")));
    } else {
      description.append(el("p", { "data-netral-part": "action" }, t("warningLead", actionText)),
        entityList(matches, !shared, Number(truncated) || 0));
      if (verdict === "block") description.append(el("p", {}, el("strong", {}, t("warningBlocked"))));
      if (message?.body) description.append(el("p", { class: "bundle-message" }, message.body));
    }
    const disputable = verdict !== "unchecked" && matches.length > 0;
    const form = disputable ? reportForm() : null;
    const main = el("main", {}, description, form, legalSection(refs), el("p", { class: "note" }, t("warningAckNote")));

    const history = el("a", { href: chrome.runtime.getURL("pages/history.html"), "data-netral-link": "history" },
      t("warningHistoryLink"));
    const report = disputable
      ? el("button", { type: "button", class: "link", "data-netral-action": "report", "aria-expanded": "false" },
        t("warningReportLink"))
      : null;
    const buttons = el("div", { class: "buttons" },
      el("button", { type: "button", class: "primary", "data-netral-action": "cancel", autofocus: "" },
        t(verdict === "block" ? "warningClose" : "warningCancel")));
    if (verdict !== "block") {
      buttons.append(el("button", { type: "button", class: "secondary", "data-netral-action": "proceed" },
        t("warningProceed")));
    }
    dialog.replaceChildren(el("div", { class: "band", "aria-hidden": "true" }), header, main,
      el("footer", {}, el("div", { class: "links" }, report, history), buttons));

    dialog.querySelector('[data-netral-action="cancel"]').addEventListener("click", (event) => {
      if (event.isTrusted) decide("cancelled");
    });
    dialog.querySelector('[data-netral-action="proceed"]')?.addEventListener("click", (event) => {
      if (!event.isTrusted) return;
      if (visibleSince === null || event.timeStamp - visibleSince < MIN_VISIBLE_MS) {
        tally("early"); // not seen long enough: ignored
        return;
      }
      decide("proceeded");
    });
    history.addEventListener("click", (event) => {
      event.preventDefault();
      if (event.isTrusted) chrome.runtime.sendMessage({ what: "openPage", page: "history" }).catch(() => {});
    });
    if (form) {
      const toggle = (open) => {
        form.hidden = !open;
        report.setAttribute("aria-expanded", String(open));
        (open ? form.querySelector("textarea") : report).focus();
        if (open) form.scrollIntoView({ block: "nearest" });
      };
      report.addEventListener("click", (event) => { if (event.isTrusted) toggle(form.hidden); });
      form.querySelector('[data-netral-action="report-back"]').addEventListener("click", (event) => {
        if (event.isTrusted) toggle(false);
      });
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!event.isTrusted) return;
        const note = form.querySelector("textarea").value.trim().slice(0, NOTE_MAX);
        decide("disputed", note || null);
      });
    }
  }

  function decide(outcome, note = null) {
    if (decided || !port) return;
    decided = true;
    for (const button of dialog.querySelectorAll("button")) button.disabled = true;
    port.postMessage({ what: "decision", outcome, note });
  }

  /**
   * One more of `name` on this document's body (data-early, data-obscured, data-presses): what the warning did
   * and got, which the page cannot read and tests can.
   */
  function tally(name) {
    document.body.dataset[name] = String(Number(document.body.dataset[name] ?? 0) + 1);
  }

  /** Asks the content script to put the warning back on top. */
  function obscured() {
    if (!port) return;
    tally("obscured");
    port.postMessage({ what: "obscured" });
  }

  function setVisible(visible, time) {
    if (visible === (visibleSince !== null)) return;
    clearTimeout(armTimer);
    if (visible) {
      visibleSince = time;
      armTimer = setTimeout(() => { document.body.dataset.armed = "1"; }, MIN_VISIBLE_MS);
    } else {
      visibleSince = null;
      delete document.body.dataset.armed;
      obscured();
    }
  }

  const observer = new IntersectionObserver((entries) => {
    const entry = entries[entries.length - 1];
    setVisible(entry.isVisible && entry.intersectionRatio >= 0.999, entry.time);
  }, { trackVisibility: true, delay: 100, threshold: [0, 1] });

  /**
   * Renders a warning ahead, while the frame is still hidden (inert, transparent): the content script stages the
   * warning of a post the user points at, so at the click only the reveal remains. The staged dialog is not open;
   * it is styled to look exactly as the open one does, so opening it changes nothing on screen. Again with other
   * data, the last one counts.
   */
  function stage(id, warning) {
    performance.mark("netral:frame-render");
    render(warning);
    stagedId = id;
    renderedAt = null;
    document.body.classList.add("staged");
    dialog.classList.add("staged");
    requestAnimationFrame(() => {
      if (stagedId !== id) return;
      renderedAt = performance.timeOrigin + performance.now();
      stamp();
    });
  }

  /** The warning staged as `id` is now shown by the content script: modal, focused, its visibility watched. */
  function reveal(id) {
    if (stagedId !== id || revealed) return;
    revealed = true;
    performance.mark("netral:frame-reveal");
    dialog.showModal();
    dialog.classList.remove("staged");
    document.body.classList.remove("staged");
    dialog.querySelector('[data-netral-action="cancel"]').focus();
    keepFocus(FOCUS_FRAMES);
    observer.observe(dialog);
    // Never fully visible, or hidden again: ask the content script to put it back on top (it gives up after a few).
    setInterval(() => { if (visibleSince === null && !decided) obscured(); }, CHECK_MS);
  }

  /**
   * The frame that shows the dialog (bench/click_path.py reads it from this document): the later of the frame
   * after this document rendered the warning and the frame after the content script opened its host dialog.
   */
  function stamp() {
    if (renderedAt !== null && paintedAt !== null) {
      Object.assign(document.body.dataset, { renderedAt, paintedAt, shownAt: Math.max(renderedAt, paintedAt) });
    }
  }

  // Escape, and a dialog closed any other way, is a cancel; a key still held from the page must not repeat in.
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); if (event.isTrusted) decide("cancelled"); });
  dialog.addEventListener("close", () => decide("cancelled"));
  window.addEventListener("keydown", (event) => { if (event.repeat) event.preventDefault(); }, true);
  // Presses this document received: tests tell a click the browser never delivered here from one the warning got
  // and did not act on.
  window.addEventListener("pointerdown", (event) => { if (event.isTrusted) tally("presses"); }, true);
  // Focus taken away from this document (by the page, or a click outside) is given back by the content script.
  window.addEventListener("blur", () => port?.postMessage({ what: "blurred" }));
  // When the focus comes back (the content script refocuses this frame: after the page took it, or as the host
  // dialog turns modal), it comes back to the control that had it, not to the document's body.
  let lastFocused = null;
  document.addEventListener("focusin", (event) => { lastFocused = event.target; });
  window.addEventListener("focus", () => keepFocus(0));

  /**
   * The focus back on the warning's control that had it (Batal at first) when it fell to the document's body, now
   * and for the next `frames` frames. The content script opens and then moves the frame that holds this document
   * (a popover, then its modal dialog, in another process): under load the reveal's focus() can come while this
   * document is still inert to its parent, or be reset by that move, with no window focus event to repair it.
   */
  function keepFocus(frames) {
    if (!revealed || decided) return;
    if (!document.activeElement || document.activeElement === document.body) {
      const inDialog = lastFocused?.isConnected && dialog.contains(lastFocused);
      (inDialog ? lastFocused : dialog.querySelector('[data-netral-action="cancel"]')).focus();
    }
    if (frames > 0) requestAnimationFrame(() => keepFocus(frames - 1));
  }

  window.addEventListener("message", function accept(event) {
    if (port || !nonce || event.source !== window.parent || event.data?.netral !== nonce || !event.ports?.[0]) return;
    window.removeEventListener("message", accept);
    port = event.ports[0];
    port.onmessage = ({ data }) => {
      if (revealed || decided) {
        if (data?.what === "painted" && typeof data.at === "number" && data.id === stagedId) {
          paintedAt = data.at;
          stamp();
        } else if (data?.what === "moved") {
          // In the modal dialog now, where it stays until the decision (tests click only once it is there: the
          // few ms of the move are no moment a person clicks in).
          document.body.dataset.modal = "1";
          keepFocus(FOCUS_FRAMES);
        }
      } else if (data?.what === "render" && typeof data.id === "string") {
        stage(data.id, data.warning);
      } else if (data?.what === "reveal") {
        reveal(data.id);
      }
    };
    port.postMessage({ what: "ready" });
  });
})();
