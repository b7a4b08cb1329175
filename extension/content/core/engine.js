// The interception engine: holds a user's like/comment/share/post/follow before the site sees it, asks the
// service worker, and lets it through untouched, or shows the warning and replays it once after "proceed".
// The pipeline lives in small core files, loaded in this order before the site file:
//   state.js     the shared state
//   table.js     table compile (a hot-fix merged over the site's table; bad rules skipped and reported)
//   intent.js    which action, on which post (outermost container, composers' send first, shadow roots)
//   verdicts.js  one verdict shape and cache policy; classification ahead of time through the service worker
//   health.js    posts seen, controls matched, posts unreadable, bad rules; the breakage report's skeleton
//   hold.js      hold, decide, acknowledge, replay
//   engine.js    (this file) the listeners and the public surface
//
// ─── The site contract ────────────────────────────────────────────────────────────────────────────────
// A site file (content/sites/<platform>.js) calls Netral.defineSite(site) once; boot.js then starts the engine.
//
//   Netral.defineSite({
//     platform: "x",          // the companion's platform key
//     table: { … },           // JSON-able selectors and labels, shape below; a signed bundle's
//                             // `selectors.<platform>` replaces top-level keys of it (see applyOverride)
//     extract(postEl, table) → {author_handle, author_name, original_author_handle, text, hashtags, mentions, url}
//                             // every field optional; must be cheap (it also runs at click time)
//     // optional hooks, each receives the (merged) table and `ctx`, the engine's context for site files:
//     // ctx.table, ctx.lastPost, ctx.lastOpener, ctx.lastActionPost(action), ctx.postOf(el), ctx.extract(el),
//     // ctx.profilePost()
//     contextFor(control, rule, table, ctx) → {post} | {postEl} | null
//                             // for controls whose subject is not the enclosing post; default for a follow
//                             // outside any post: the profile on screen, from table.page.profile (below)
//     composerContext(textbox, table, ctx) → {action: "comment"|"post", postEl: Element|null}
//                             // which post a composer replies to; default: comment on the enclosing post, else on
//                             // the post whose comment control was last used, else the last post, else "post"
//     draftOf(textbox, ctx) → string   // default: value for <textarea>/<input>, innerText otherwise
//     selectedPost(table, ctx) → Element|null // the post a shortcut acts on; default: the focused post
//     navigationEvents: ["yt-navigate-finish"] // events the site fires on document after an in-app navigation;
//                             // the engine rescans and re-classifies the posts in view (sites that reuse a post's
//                             // element for the next video or chat)
//   });
//
// The table: named sub-tables, each a JSON object (the bundle schema's "platform -> table name -> table"),
// all optional except post.container. A hot-fix replaces entries one level down (see applyOverride).
//   post:       {container, nesting?, …}  container = selector of one post ("article[data-testid='tweet']");
//               where posts nest, the post is the outermost match, unless nesting: "innermost" (comments that
//               are their own subjects inside a post); volatile = selector of parts of a post that change as
//               the user acts on it and that extract() never reads (X's action bar, whose labels count the
//               likes): a change inside them does not make the post read again at the next click; the other
//               keys are the site's own, read by its extract()
//   controls:   {like: [rule…], comment: [rule…], share: [rule…], follow: [rule…], post: [rule…]}
//               rule = {selector?, labels?, within?, scope?, on?}
//               selector CSS selector of the control (closest() from the event target)
//               labels   accessible names (aria-label, else text), case-insensitive, exact; "Ikuti @*" = prefix;
//                        with a selector, the control must match both
//               within   the control must be inside this selector (e.g. "[role='menu']", "[role='dialog']")
//               scope    "post" (default: the enclosing post, else the last one interacted with),
//                        "last" (menus and dialogs outside the post: the last post interacted with),
//                        "none" (no post; for `post` actions)
//               on       "click" (default: held at the control's pointerup, for sites that act on it, and at
//                        its click; keyboard activation of a non-native button and a middle click on a link
//                        count too) | "dblclick"
//   shortcuts:  {key: action}  single keys without modifiers, outside text fields, acting on selectedPost()
//   composers:  {name: {textbox, submitKeys, submit, form?}}
//               textbox    selector of the comment/post editor (textarea or contenteditable)
//               submitKeys ["Enter"] (Enter without Shift) and/or ["Mod+Enter"] (Ctrl or Cmd + Enter)
//               submit     [rule…] the composer's send buttons (clicks on them count)
//               form       selector of a <form> whose submit event sends the composer
//   page:       the site's own, for its hooks; the engine reads page.profile = {handle?, name?} (selectors of the
//               profile on screen, for a follow outside a post) and page.reservedPaths (URL segments that are no
//               handle)
//   anything else is the site's own, for its hooks.
//
// Interception: capture-phase listeners on window for click, dblclick, auxclick, pointerup, keydown/keyup, submit
// and input (targets inside open shadow roots are read from the composed path), and pointerdown for a mouse press
// on a control whose warning is already known (shown as the button goes down);
// only event.isTrusted events count, and the engine's own replay (element.click(), a re-dispatched
// KeyboardEvent, form.requestSubmit()) is never intercepted again. Posts entering the viewport are classified
// in batches; an action on a post known to be allowed is not held at all.
// ──────────────────────────────────────────────────────────────────────────────────────────────────────
"use strict";

(() => {
  const s = Netral.core.state;
  const { CLICKABLE, EDITABLE, closestAcross, compile, merge } = Netral.table;
  const { postOf, composerOf, composerIntent, controlIntent, context, lazy } = Netral.intent;
  const { intercept, hold, anticipate, warnsNow } = Netral.hold;

  /** The element an event happened on, inside an open shadow root if it was there. */
  function targetOf(event) {
    const first = event.composedPath?.()[0];
    return first instanceof Element ? first : event.target instanceof Element ? event.target : null;
  }

  function ours(event) {
    return !event.isTrusted || s.replaying || Netral.warning.contains(event);
  }

  /** Pointer over or focus into a post: the post last pointed at; over a control of a post: its opener too. */
  function notePost(event) {
    if (ours(event)) return;
    const target = targetOf(event);
    const postEl = target && postOf(target);
    if (!postEl) return;
    s.lastPost = postEl;
    if (event.type !== "focusin" && closestAcross(target, CLICKABLE)) s.lastOpener = postEl;
  }

  /** Pointer over a control: the warning of a post known to warn is prepared in the hidden frame. */
  function onPointerover(event) {
    if (ours(event)) return;
    const target = targetOf(event);
    const intent = target && controlIntent(target, "click");
    if (intent) anticipate(intent, { check: false });
  }

  /**
   * Pointer down on a control. A mouse press on a control whose warning is known now (the post was classified
   * ahead and warns) is held at once: the warning is on screen before the button comes up, and the site sees
   * nothing of the press (its release and click are swallowed, see onPointerup). Any other press, a touch (which
   * may begin a scroll) or a pen, only has its verdict asked for, so the click that follows finds it under way.
   */
  function onPointerdown(event) {
    if (event.isTrusted) s.heldPress = null; // a new press: the release of an earlier one can no longer come
    if (ours(event) || event.button !== 0) return;
    const target = targetOf(event);
    const intent = target && controlIntent(target, "click");
    if (!intent) return;
    if (event.pointerType === "mouse" && event.isPrimary && warnsNow(intent)) {
      intercept(event, Object.assign(intent, { event }));
    } else {
      anticipate(intent, { check: true });
    }
  }

  function onClick(event) {
    if (ours(event)) return;
    const target = targetOf(event);
    if (!target) return;
    if (s.swallowClick) {
      const { element, at } = s.swallowClick;
      s.swallowClick = null;
      // No element: the click made of a held press and its release, on whatever the two share (the release landed
      // on the warning, so that is an ancestor of both, the document's root when the press was in a shadow root).
      const same = !element || element === target || element.contains(target) || target.contains(element);
      if (same && event.timeStamp - at < 1000) { hold(event); return; }
    }
    notePost(event);
    const intent = controlIntent(target, event.type);
    if (intent) intercept(event, Object.assign(intent, { event }));
  }

  /**
   * A control is held at its pointerup, not only at its click: a site that acts on pointerup (some do, to feel
   * faster) would otherwise act before the click. The click that follows belongs to the held action.
   */
  function onPointerup(event) {
    if (s.heldPress && event.isTrusted && event.pointerId === s.heldPress.pointerId) {
      // The release of a press held at its pointerdown (wherever it lands: on the warning, usually), and the click
      // the browser makes of the two, on their common ancestor: part of the held action.
      s.swallowClick = { element: null, at: event.timeStamp };
      s.heldPress = null;
      hold(event);
      return;
    }
    if (ours(event) || event.button !== 0 || event.pointerType === "touch" && !event.isPrimary) return;
    const target = targetOf(event);
    const intent = target && controlIntent(target, "click");
    if (intent) intercept(event, Object.assign(intent, { event }));
  }

  /** A middle click on an action link (X's Quote is a link to the composer) opens it in a new tab. */
  function onAuxclick(event) {
    if (ours(event) || event.button !== 1) return;
    const target = targetOf(event);
    const intent = target && controlIntent(target, "click");
    if (intent && closestAcross(intent.control, "a[href]")) intercept(event, Object.assign(intent, { event }));
  }

  const isNativeActivator = (el) => el.matches("button, a[href], input, summary, select");

  function onKeydown(event) {
    if (ours(event) || event.isComposing) return;
    const target = targetOf(event);
    if (!target) return;
    const mod = event.ctrlKey || event.metaKey;

    if (event.key === "Enter") {
      const found = composerOf(target);
      if (found) {
        const wants = mod ? "Mod+Enter" : event.shiftKey || event.altKey ? null : "Enter";
        if (wants && found.composer.submitKeys.has(wants)) {
          intercept(event, Object.assign(composerIntent(found.textbox), { event }));
        }
        return;
      }
    }
    if ((event.key === "Enter" || event.key === " ") && !mod && !event.altKey) {
      const intent = controlIntent(target, "click");
      // Native buttons and links turn Enter/Space into a trusted click, which onClick handles.
      if (intent && !isNativeActivator(intent.control)) intercept(event, Object.assign(intent, { event }));
      if (intent) return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
    const action = s.rules.shortcuts.get(event.key);
    if (!action || closestAcross(target, EDITABLE) || target.isContentEditable) return;
    const postEl = s.site.selectedPost ? s.site.selectedPost(s.table, context) : postOf(document.activeElement);
    if (!postEl) return;
    intercept(event, lazy({ action, postEl, control: postEl, event }));
  }

  function onKeyup(event) {
    if (!event.isTrusted || s.swallowKeyup === null || event.key !== s.swallowKeyup) return;
    s.swallowKeyup = null;
    hold(event);
  }

  function onSubmit(event) {
    if (ours(event)) return;
    const form = event.target;
    for (const composer of s.rules.composers) {
      if (!composer.form || !form.matches(composer.form)) continue;
      const textbox = form.querySelector(composer.textbox);
      if (textbox) {
        intercept(event, Object.assign(composerIntent(textbox), { control: event.submitter ?? null, event }));
      }
      return;
    }
  }

  // Drafts are checked while the user types, so sending an allowed comment is never held.
  const DRAFT_DELAY_MS = 150;
  const draftTimers = new WeakMap();
  function onInput(event) {
    if (!event.isTrusted) return;
    const target = targetOf(event);
    const found = target && composerOf(target);
    if (!found) return;
    clearTimeout(draftTimers.get(found.textbox));
    draftTimers.set(found.textbox, setTimeout(() => precheckDraft(found.textbox), DRAFT_DELAY_MS));
  }

  async function precheckDraft(textbox) {
    if (!s.enabled || !textbox.isConnected) return;
    const intent = composerIntent(textbox);
    if (!intent.draft) return;
    const asked = Netral.verdicts.generation;
    const response = await Netral.send("check", {
      platform: s.site.platform, action: intent.action, post: intent.post, draft_text: intent.draft,
    }).catch(() => null);
    Netral.verdicts.rememberDraft(textbox, intent, response, asked);
  }

  function observePosts(node) {
    try {
      if (node.matches(s.rules.post)) Netral.verdicts.observe(node);
      for (const post of node.querySelectorAll(s.rules.post)) Netral.verdicts.observe(post);
    } catch {
      // a post selector the browser refuses was reported when the table was compiled
    }
  }

  // ── public surface ──────────────────────────────────────────────────────────────────────────────────
  Netral.defineSite = (definition) => {
    if (!definition?.platform || !definition.table?.post?.container || typeof definition.extract !== "function") {
      throw new Error("Netral.defineSite needs platform, table.post.container and extract()");
    }
    s.site = definition;
    s.table = definition.table;
    s.rules = compile(s.table);
  };

  Netral.engine = {
    /** Installs the listeners (capture phase, on window) and the observers; idempotent per document. */
    start() {
      if (!s.site) throw new Error("no site defined");
      const options = { capture: true };
      for (const [type, listener] of [["click", onClick], ["dblclick", onClick], ["auxclick", onAuxclick],
        ["pointerup", onPointerup], ["keydown", onKeydown], ["keyup", onKeyup], ["submit", onSubmit],
        ["input", onInput]]) {
        window.addEventListener(type, listener, options);
      }
      for (const type of ["pointerover", "pointerdown", "focusin"]) {
        window.addEventListener(type, notePost, { capture: true, passive: true });
      }
      window.addEventListener("pointerover", onPointerover, { capture: true, passive: true });
      window.addEventListener("pointerdown", onPointerdown, options); // not passive: a press may be held
      // New posts are observed as they are added (classified in the next frame); the health scan, which counts
      // every post on the page, runs at most every SCAN_INTERVAL_MS.
      const schedule = Netral.health.schedule;
      new MutationObserver((records) => {
        for (const record of records) {
          for (const node of record.addedNodes) if (node.nodeType === Node.ELEMENT_NODE) observePosts(node);
        }
        schedule();
      }).observe(document, { childList: true, subtree: true });
      window.addEventListener("popstate", schedule);
      globalThis.navigation?.addEventListener("navigatesuccess", schedule);
      for (const type of s.site.navigationEvents ?? []) document.addEventListener(type, Netral.verdicts.reclassify);
      chrome.runtime.onMessage.addListener((message, sender, reply) => {
        if (message?.what === "rulesChanged") Netral.verdicts.forget();
        if (message?.what === "breakageReport" && message.platform === s.site.platform && window === window.top) {
          reply({ report: Netral.health.breakageReport() });
        }
      });
      schedule();
    },

    /**
     * Applies a selector hot-fix from a signed bundle (`selectors.<platform>`, fetched by boot.js through the
     * `siteConfig` message): {tableName: {key: value}}; each key replaces the site's own, so a redesign is fixed by
     * shipping e.g. just {controls: {like: [...]}}. Verdicts already known stay valid. A hot-fix whose post
     * container does not parse is refused whole (the built-in table stays); a bad rule inside it is skipped.
     */
    applyOverride(override) {
      if (!override || typeof override !== "object") return;
      const table = merge(s.site.table, override);
      let rules;
      try {
        rules = compile(table);
      } catch {
        s.rules = compile(s.table); // names the built-in table's problems again, none
        return;
      }
      s.table = table;
      s.rules = rules;
      document.documentElement.dataset.netralSelectors = "bundle"; // lets tests wait for the hot-fix
      Netral.health.schedule();
    },

    setEnabled(value) {
      s.enabled = Boolean(value);
    },

    get platform() { return s.site?.platform ?? null; },
    /** The post the user last interacted with (kept for site files written before `ctx`). */
    get lastPost() { return context.lastPost; },
    lastActionPost(action) { return context.lastActionPost(action); },
  };
})();
