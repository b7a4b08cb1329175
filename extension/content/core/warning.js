// The warning: <netral-warning> on document.documentElement, a CLOSED shadow root holding one iframe of the
// extension's own origin, pages/warning.html. The frame kept ready waits in the top layer already, as a manual
// popover that cannot be seen, hit or focused; at the click it is only made visible (entering the top layer then
// would lay out a frame of another process again: ~0.5 ms, over 1 ms at p95), or enters it again, above what the
// page put there since, so the warning is on screen in the next frame; right after that frame it moves, without
// reloading or losing focus (moveBefore), into a modal <dialog>, which makes the page inert behind it (a style pass
// over the whole page: several ms on a long feed, paid once the warning is already seen).
// The page can reach only the host element: the warning's content, its buttons and its visibility check live in
// that document, which talks to this content script through a MessagePort handed over with a nonce in its URL.
// A top frame keeps one such frame ready (hidden, no data-verdict) and renders into it the warning of the post the
// user points at, so showing a warning costs one reveal message (see stage()).
"use strict";

(() => {
  const PAGE = chrome.runtime.getURL("pages/warning.html");
  const ORIGIN = new URL(PAGE).origin;
  const READY_TIMEOUT_MS = 5000; // the frame must load and take its port within this, else the action is dropped
  const MAX_RAISES = 3; // covered or hidden this often after being put back on top: the action is dropped
  const PREPARE_DELAY_MS = 1000; // after the page's load event, before the frame for the next warning loads
  const MAX_SIGNALS = 60; // the companion's limit for a dispute's signals
  // After a decision, before the frame is taken down and the action goes on: the browser must have finished
  // routing the click's mouseup into the frame (50 ms was not always enough on a loaded machine).
  const TEARDOWN_MS = 200;
  const STYLE = `
    :host { all: initial !important; display: block !important; position: fixed !important; inset: 0 !important;
            width: 0 !important; height: 0 !important; opacity: 1 !important; visibility: visible !important;
            transform: none !important; filter: none !important; clip-path: none !important; mask: none !important;
            z-index: 2147483647 !important; pointer-events: auto !important; }
    dialog, .layer { all: initial; position: fixed; inset: 0; width: 100vw; height: 100vh; max-width: none;
             max-height: none; margin: 0; padding: 0; border: 0; background: transparent; overflow: hidden; }
    dialog:not([open]):not(.moving):not(.idle), .layer:not(:popover-open):not(.idle) { display: none; }
    dialog.moving, .layer:popover-open { display: block; }
    /* The frame kept ready stays rendered (a hidden cross-origin frame is throttled and needs frames to wake),
       but cannot be seen, hit or focused. */
    .idle, .idle iframe { display: block; opacity: 0; pointer-events: none; }
    /* In the top layer, a popover has a backdrop over the whole page: not while idle (transparent, it still counts
       as covering every frame below it for a visibility check such as the warning's own, IntersectionObserver v2). */
    .idle::backdrop { display: none; }
    dialog::backdrop, .layer::backdrop { background: transparent; }
    iframe { all: initial; display: block; width: 100%; height: 100%; border: 0; }`;

  const MOVES = typeof Element.prototype.moveBefore === "function"; // a state-preserving move (Chrome 133+)
  let current = null; // the warning shown now: {host, finish}
  let prepared = null; // a ready frame for the next warning (top frame only)
  // The page's popovers and dialogs open now, each with the number of its opening (their beforetoggle events; the
  // warning's own, in its closed shadow root, never reach the window): a ready frame that entered the top layer
  // before one of them that is still there is below it.
  const pageTopLayer = new Map();
  const TRACKED_MAX = 256; // above this, what is closed or gone is forgotten at once (a page's synthetic events)
  let openings = 0;
  window.addEventListener("beforetoggle", (event) => {
    if (!(event.target instanceof Element)) return;
    if (event.newState !== "open") {
      pageTopLayer.delete(event.target);
      return;
    }
    if (pageTopLayer.size >= TRACKED_MAX) forgetClosed();
    pageTopLayer.set(event.target, ++openings);
  }, { capture: true, passive: true });

  /** Forgets the page's elements no longer in the top layer (one taken out of the document closes without an event). */
  function forgetClosed() {
    for (const element of pageTopLayer.keys()) {
      if (!element.isConnected || !element.matches(":popover-open, :modal")) pageTopLayer.delete(element);
    }
  }

  const squash = (s) => String(s ?? "").toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  const words = (s) => ` ${String(s ?? "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim()} `;

  /** A hashtag or account in the spelling the user saw on the page, else the bundle's spelling the companion sent. */
  function displayValue(signal, post) {
    const pool = signal.type === "hashtag" ? post?.hashtags
      : signal.type === "account" ? [post?.author_handle, post?.original_author_handle, ...(post?.mentions ?? [])]
        : null;
    return pool?.find((v) => v && squash(v) === squash(signal.value)) ?? signal.value;
  }

  /** Drops a name that only repeats part of a longer matched name ("prabowo" beside "prabowo subianto"). */
  function conciseSignals(signals) {
    const names = signals.filter((s) => s.type === "name" || s.type === "weak_name").map((s) => words(s.value));
    const seen = new Set();
    return signals.filter((s) => {
      const key = `${s.type}|${s.value}`;
      if (seen.has(key)) return false;
      seen.add(key);
      if (s.type !== "name" && s.type !== "weak_name") return true;
      const own = words(s.value);
      return !names.some((other) => other !== own && other.includes(own));
    });
  }

  /** What the warning document shows: no post text, only what the companion answered about it. */
  function payload({ verdict, response, action, post }) {
    const matches = (response?.matches ?? []).map((m) => ({
      entity_id: m.entity_id, name: m.name, kind: m.kind, election: m.election ?? null,
      signals: conciseSignals(m.signals ?? []).map((s) => ({ type: s.type, value: displayValue(s, post) })),
    }));
    return { verdict, action, matches, truncated: Number(response?.matches_truncated) || 0,
      message: response?.message ?? null, legal_refs: response?.legal_refs ?? [] };
  }

  /** The signals that fired, as the companion reported them (types and values; what a dispute records). */
  function firedSignals(response) {
    const seen = new Set();
    const out = [];
    for (const match of response?.matches ?? []) {
      for (const { type, value } of match.signals ?? []) {
        const key = `${type}|${value}`;
        if (seen.has(key) || typeof value !== "string") continue;
        seen.add(key);
        out.push({ type, value: value.slice(0, 200) });
      }
    }
    return out.slice(0, MAX_SIGNALS);
  }

  /**
   * A host with its closed shadow root and frame. The host is made in a document without a browsing context, so a
   * page's own customElements.define('netral-warning') cannot run before the shadow root is attached; its upgrade
   * at insertion then fails (or succeeds harmlessly) without reaching the shadow root.
   */
  function createFrame() {
    const host = document.implementation.createHTMLDocument("").createElement("netral-warning");
    const root = host.attachShadow({ mode: "closed" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    const layer = document.createElement("div"); // the popover the warning is first shown in
    layer.popover = "manual";
    const dialog = document.createElement("dialog"); // the modal it moves into
    const iframe = document.createElement("iframe");
    const nonce = crypto.randomUUID();
    iframe.src = `${PAGE}#${nonce}`;
    iframe.setAttribute("title", Netral.t("warningFrameTitle"));
    layer.className = "layer";
    // Where the frame waits, hidden, and is first shown: the popover; in a browser without moveBefore (Chrome
    // before 133), which would reload a moved frame, the dialog, opened modal at once.
    const holder = MOVES ? layer : dialog;
    holder.append(iframe);
    holder.classList.add("idle");
    holder.inert = true;
    root.append(style, layer, dialog);
    const channel = new MessageChannel();
    const frame = { host, layer, dialog, holder, iframe, port: channel.port1, loads: 0, ready: false,
      listeners: new Set(), staged: null };
    frame.whenReady = new Promise((resolve) => { frame.markReady = resolve; });
    channel.port1.onmessage = ({ data }) => {
      if (data?.what === "ready") { frame.ready = true; frame.markReady(); }
      for (const listener of frame.listeners) listener(data);
    };
    iframe.addEventListener("load", () => {
      frame.loads += 1;
      // Only the first document gets the port; a second load means the page navigated the frame.
      if (frame.loads === 1) iframe.contentWindow.postMessage({ netral: nonce }, ORIGIN, [channel.port2]);
      else for (const listener of frame.listeners) listener({ what: "navigated" });
    });
    // Page listeners must not see what happens on the warning (e.g. X's `l` shortcut, a click on the dialog).
    for (const type of ["keydown", "keyup", "keypress", "click", "dblclick", "mousedown", "mouseup", "pointerdown",
      "pointerup", "auxclick", "contextmenu", "focusin", "focusout", "input"]) {
      host.addEventListener(type, (event) => event.stopPropagation());
    }
    document.documentElement.append(host);
    wait(frame);
    return frame;
  }

  /**
   * The ready frame's layer into the top layer, still idle, so that showing it is a change of style only. Not while a
   * warning is open: it would sit above that warning (transparent and inert, yet over it); finish() calls it again.
   */
  function wait(frame) {
    if (current || frame.holder !== frame.layer || frame.layer.matches(":popover-open")) return;
    try {
      frame.layer.showPopover();
      frame.topLayerAt = openings;
    } catch {
      // not in a document that can show it (the page moved the host); show() puts it in the top layer then
    }
  }

  /** Whether the ready layer must enter the top layer again to be above everything: the page put something there. */
  function buried(frame) {
    if (document.fullscreenElement !== null) return true;
    forgetClosed();
    for (const at of pageTopLayer.values()) if (at > frame.topLayerAt) return true;
    return false;
  }

  /** Keeps one frame loading in the background of a top frame, so a warning shows in the next frame. */
  function prepare() {
    if (window !== window.top || prepared || !document.documentElement) return;
    prepared = createFrame();
  }

  /**
   * Has the frame render the warning of `source` ({verdict, response, action, post}) once it took its port, unless it
   * already holds this one (the same answer for the same action and reading of the post, or the same payload);
   * returns the id the frame knows it by. Messages on the port arrive in order, so a reveal sent after this finds it
   * rendered.
   */
  function sendWarning(frame, source) {
    const { staged } = frame;
    if (staged && ["verdict", "response", "action", "post"].every((name) => staged.source[name] === source[name])) {
      return staged.id;
    }
    const warning = payload(source);
    const key = JSON.stringify(warning);
    if (staged?.key === key) {
      staged.source = source;
      return staged.id;
    }
    const id = crypto.randomUUID();
    frame.staged = { key, id, source };
    frame.whenReady.then(() => {
      if (frame.staged?.id === id) frame.port.postMessage({ what: "render", id, warning });
    });
    return id;
  }

  /**
   * Renders a warning ahead in the hidden ready frame (a trusted pointer over or down on a control of a post known
   * to warn), so that at the click only the reveal remains. Nothing of it can be seen, hit or focused until shown.
   */
  function stage({ verdict, response, action, post }) {
    if (window !== window.top || current) return;
    prepare();
    if (usable(prepared)) sendWarning(prepared, { verdict, response, action, post });
  }

  function usable(frame) {
    return frame && frame.host.isConnected && frame.host.parentNode === document.documentElement && frame.loads <= 1;
  }

  function takeFrame() {
    const frame = prepared;
    prepared = null;
    if (usable(frame)) return frame;
    frame?.host.remove();
    return createFrame();
  }

  /**
   * Shows the warning; resolves to {outcome, note?, signals?}: "proceeded" (a trusted click or key on proceed after
   * the dialog was fully visible for a while, checked in the frame), "cancelled" (Batal, Escape), "disputed" (the
   * user reported a wrong match; with the signals that fired and the user's note), or "interrupted" (the page
   * removed, navigated or kept covering the warning, or the frame never came up).
   */
  function show({ verdict, response, action, post, returnFocus }) {
    performance.mark("netral:show");
    if (current) current.finish({ outcome: "cancelled" });
    const focusedBefore = document.activeElement;
    const frame = takeFrame();
    const { host, layer, dialog, holder, iframe, port } = frame;
    host.setAttribute("data-verdict", verdict);

    return new Promise((resolve) => {
      let done = false;
      let raises = 0;
      const watcher = new MutationObserver(() => {
        if (!usable(frame)) { finish({ outcome: "interrupted" }); return; }
        // The host carries only data-verdict; a page's style, class, inert or hidden is taken off again.
        for (const name of host.getAttributeNames()) if (name !== "data-verdict") host.removeAttribute(name);
        if (host.getAttribute("data-verdict") !== verdict) host.setAttribute("data-verdict", verdict);
        if (document.documentElement.hasAttribute("inert")) document.documentElement.removeAttribute("inert");
      });
      const timer = setTimeout(() => { if (!frame.ready) finish({ outcome: "interrupted" }); }, READY_TIMEOUT_MS);

      function finish(result) {
        if (done) return;
        done = true;
        clearTimeout(timer);
        watcher.disconnect();
        frame.listeners.clear();
        port.close();
        if (current?.host === host) current = null;
        if (layer.matches(":popover-open")) layer.hidePopover();
        dialog.close();
        prepare(); // the next warning's frame loads now, so it is ready (and can be staged) by the next click
        if (prepared) wait(prepared); // made while this warning was open: into the top layer now
        // Taken down a moment later: a frame destroyed while the browser still routes the click's mouseup into
        // it leaves that input unacknowledged (seen under automation: a click that never returned, once in five
        // full runs with 50 ms), and focus given back to the page before the browser finished focusing the
        // clicked frame would be taken again.
        setTimeout(() => {
          host.remove();
          // Back to the control the user pressed, else to what had the focus before (a composer's text box).
          for (const target of [returnFocus, focusedBefore]) {
            if (!target?.isConnected || target === document.body || target === host) continue;
            target.focus({ preventScroll: true });
            if (document.activeElement === target) break;
          }
          resolve(result);
        }, TEARDOWN_MS);
      }

      /** Puts the warning back on top of the page's own top layer (a popover or dialog opened over it). */
      function raise() {
        if (raises >= MAX_RAISES || !host.isConnected) { finish({ outcome: "interrupted" }); return; }
        raises += 1;
        if (dialog.open) {
          dialog.close();
          dialog.showModal();
        } else {
          layer.hidePopover();
          layer.showPopover();
        }
        iframe.focus();
      }

      /**
       * The popover's frame into the modal dialog, after the frame that first showed it: moveBefore keeps the
       * frame's document, its rendering and its focus, so nothing on screen changes; then the page is inert.
       */
      function turnModal() {
        if (done || !usable(frame)) return;
        if (dialog.open) { sendMoved(); return; } // without moveBefore: modal from the start
        dialog.classList.add("moving"); // displayed while the frame moves in, so it never sits in a hidden subtree
        try {
          dialog.moveBefore(iframe, null);
        } catch {
          dialog.classList.remove("moving"); // stays the popover: pointer and keys are still the warning's alone
          iframe.focus();
          sendMoved();
          return;
        }
        dialog.showModal();
        dialog.classList.remove("moving");
        layer.hidePopover();
        iframe.focus();
        sendMoved(); // the frame puts its focus back on its button if the move lost it
        performance.mark("netral:modal");
      }

      /** Tells the frame it is where it stays until the decision; after its render and reveal, which it needs first. */
      function sendMoved() {
        frame.whenReady.then(() => { if (!done) port.postMessage({ what: "moved" }); });
      }

      frame.listeners.add((data) => {
        if (data?.what === "decision" && ["proceeded", "cancelled", "disputed"].includes(data.outcome)) {
          const note = typeof data.note === "string" && data.note ? data.note.slice(0, 500) : null;
          finish(data.outcome === "disputed"
            ? { outcome: "disputed", signals: firedSignals(response), note } : { outcome: data.outcome });
        } else if (data?.what === "obscured") {
          raise();
        } else if (data?.what === "blurred") {
          if (document.hasFocus()) iframe.focus();
        } else if (data?.what === "navigated") {
          finish({ outcome: "interrupted" });
        }
      });
      // Escape while the page holds the focus (the frame's own Escape is its cancel) ends as a cancel too.
      dialog.addEventListener("cancel", (event) => {
        event.preventDefault();
        if (event.isTrusted) finish({ outcome: "cancelled" });
      });

      current = { host, finish };
      if (!usable(frame)) { finish({ outcome: "interrupted" }); return; }
      holder.classList.remove("idle");
      holder.inert = false;
      // The top layer with no style pass over the page (the modal comes a frame later); without moveBefore, modal
      // at once (the page made inert now: several ms on a long feed).
      // The focus moves into the frame with the modal a frame later (keys meanwhile are the warning's alone, see
      // below): focusing a frame of another process costs about a millisecond that the first paint need not wait.
      if (holder === layer) {
        // Where it waits in the top layer, unless the page put something there since (a popover, a dialog, fullscreen):
        // then it enters again, above that. A page's popover in its own closed shadow root is not seen here: it
        // covers the warning for the first frame, until the move into the modal dialog puts the warning above it.
        if (layer.matches(":popover-open") && buried(frame)) layer.hidePopover();
        if (!layer.matches(":popover-open")) layer.showPopover();
      } else {
        dialog.showModal();
        iframe.focus();
      }
      performance.mark("netral:host-open");
      watcher.observe(document.documentElement, { childList: true, attributes: true, attributeFilter: ["inert"] });
      watcher.observe(host, { attributes: true });
      const id = sendWarning(frame, { verdict, response, action, post });
      requestAnimationFrame(() => {
        performance.mark("netral:host-shown");
        const at = performance.timeOrigin + performance.now();
        // After this frame's paint:
        // - the frame's document is told it is shown: its staged warning looks exactly as the shown one, so nothing
        //   on screen waits for this (a warning not staged is rendered first, in order); told at the click, its
        //   work in the frame's process took the CPU this page needed for the frame (the reveal's own checks are
        //   stricter for coming later: a proceed counts only once the document has seen itself visible);
        // - the page is made inert behind the warning;
        // - the next warning's frame starts loading while this one is read, so a warning that follows soon after
        //   finds its frame ready.
        setTimeout(() => {
          frame.whenReady.then(() => {
            if (done) return;
            port.postMessage({ what: "reveal", id });
            port.postMessage({ what: "painted", id, at });
          });
          turnModal();
          prepare();
        }, 0);
      });
    });
  }

  // Registered before any page script runs (document_start): while a warning is open, the page's own listeners
  // get no key at all, and Escape cancels the warning even when the page moved the focus away from it.
  for (const type of ["keydown", "keypress", "keyup"]) {
    window.addEventListener(type, (event) => {
      if (!current || !event.isTrusted) return;
      if (type === "keyup" && event.key === Netral.core?.state.swallowKeyup) return; // the engine's held key
      event.stopImmediatePropagation();
      event.preventDefault();
      if (type === "keydown" && event.key === "Escape") current.finish({ outcome: "cancelled" });
    }, true);
  }

  if (window === window.top) {
    // A while after load, when idle: the site's own start and Netral's first checks come first.
    const later = () => setTimeout(() => (window.requestIdleCallback ?? setTimeout)(prepare), PREPARE_DELAY_MS);
    if (document.readyState === "complete") later();
    else window.addEventListener("load", later, { once: true });
  }

  Netral.warning = {
    show,
    stage,
    isOpen: () => current !== null,
    /** True when an event happened on the open warning's host. */
    contains: (event) => current !== null && event.composedPath().includes(current.host),
  };
})();
