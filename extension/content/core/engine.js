// The interception engine: holds a user's like/comment/share/post/follow before the site sees it, asks the
// service worker, and lets it through untouched, or shows the warning and replays it once after "proceed".
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
//     // optional hooks, each receives the (merged) table:
//     contextFor(control, rule, table) → {post} | {postEl} | null
//                             // for controls whose subject is not the enclosing post (follow on a profile
//                             // header or a user cell): return the post object directly
//     composerContext(textbox, table) → {action: "comment"|"post", postEl: Element|null}
//                             // which post a composer replies to; default: comment on the enclosing post,
//                             // else on the last post the user interacted with, else action "post"
//     draftOf(textbox) → string        // default: value for <textarea>/<input>, innerText otherwise
//     selectedPost(table) → Element|null // the post a shortcut acts on; default: the focused post
//     navigationEvents: ["yt-navigate-finish"] // events the site fires on document after an in-app navigation;
//                             // the engine rescans and re-classifies the posts in view (sites that reuse a post's
//                             // element for the next video or chat)
//   });
//
// The table: named sub-tables, each a JSON object (the bundle schema's "platform -> table name -> table"),
// all optional except post.container. A hot-fix replaces entries one level down (see applyOverride).
//   post:       {container, …}  container = selector of one post ("article[data-testid='tweet']"); the other
//               keys are the site's own extraction selectors and labels, read by its extract()
//   controls:   {like: [rule…], comment: [rule…], share: [rule…], follow: [rule…], post: [rule…]}
//               rule = {selector?, labels?, within?, scope?, on?}
//               selector CSS selector of the control (closest() from the event target)
//               labels   accessible names (aria-label, else text), case-insensitive, exact; "Ikuti @*" = prefix;
//                        with a selector, the control must match both
//               within   the control must be inside this selector (e.g. "[role='menu']", "[role='dialog']")
//               scope    "post" (default: the enclosing post, else the last one interacted with),
//                        "last" (menus and dialogs outside the post: the last post interacted with),
//                        "none" (no post; for `post` actions)
//               on       "click" (default; keyboard activation of a non-native button counts too) | "dblclick"
//   shortcuts:  {key: action}  single keys without modifiers, outside text fields, acting on selectedPost()
//   composers:  {name: {textbox, submitKeys, submit, form?}}
//               textbox    selector of the comment/post editor (textarea or contenteditable)
//               submitKeys ["Enter"] (Enter without Shift) and/or ["Mod+Enter"] (Ctrl or Cmd + Enter)
//               submit     [rule…] the composer's send buttons (clicks on them count)
//               form       selector of a <form> whose submit event sends the composer
//   anything else (e.g. page: {…}) is the site's own, for its hooks.
//
// Interception: capture-phase listeners on window for click, dblclick, keydown/keyup, submit and input;
// only event.isTrusted events count, and the engine's own replay (element.click(), a re-dispatched
// KeyboardEvent, form.requestSubmit()) is never intercepted again. Posts entering the viewport are classified
// in batches; an action on a post known to be allowed is not held at all.
// ──────────────────────────────────────────────────────────────────────────────────────────────────────
"use strict";

(() => {
  const CLICKABLE = "button, [role='button'], [role='menuitem'], [role='menuitemradio'], [role='option'], " +
    "[role='link'], [role='tab'], a[href], input[type='submit'], input[type='button']";
  const EDITABLE = "input, textarea, select, [contenteditable=''], [contenteditable='true'], [contenteditable='plaintext-only']";
  const SCAN_INTERVAL_MS = 150;
  const CLASSIFY_DELAY_MS = 40;
  const DRAFT_DELAY_MS = 150;
  const HEALTH_INTERVAL_MS = 15000;
  const BREAKAGE_GRACE_MS = 3000; // posts without any known control for this long: the table no longer fits

  let site = null;
  let table = null;
  let rules = null; // compiled table
  let enabled = true;

  let replaying = false; // true while the engine replays a held action, so it is not intercepted again
  let held = null; // the action currently held (waiting for a verdict or a decision)
  let swallowKeyup = null; // key whose trusted keyup belongs to a held keydown
  let lastPost = null; // the post the user last pointed at, focused or acted on
  const lastActionPost = {}; // action -> the post of the last intercepted action of that kind

  // What is known under the current rules epoch; forgetVerdicts() replaces all three when the epoch changes.
  let postVerdicts = new WeakMap(); // post element -> {fp, matched, responses: {action: response}}
  let drafts = new WeakMap(); // composer textbox -> {text, response}
  let acknowledged = new WeakMap(); // post element -> Set of "action|entity" the user already proceeded on
  let generation = 0; // counts forgetVerdicts(): an answer asked for under an older epoch is not kept
  const observed = new WeakSet();
  const health = { postsSeen: 0, controlsMatched: 0, reportedAt: 0, reported: "", brokenSince: 0 };

  // ── table compilation ───────────────────────────────────────────────────────────────────────────────
  const norm = (s) => String(s ?? "").replace(/\s+/g, " ").trim().toLowerCase();

  function labelMatcher(labels) {
    if (!labels?.length) return null;
    const exact = new Set();
    const prefixes = [];
    for (const label of labels) {
      if (label.endsWith("*")) prefixes.push(norm(label.slice(0, -1)));
      else exact.add(norm(label));
    }
    return (name) => exact.has(name) || prefixes.some((p) => name.startsWith(p));
  }

  function accessibleName(el) {
    return norm(el.getAttribute("aria-label") || el.textContent);
  }

  function compile(t) {
    const controlRule = (r, extra = {}) => ({ ...r, ...extra, label: labelMatcher(r.labels) });
    const compiled = {
      post: t.post.container,
      controls: Object.entries(t.controls ?? {})
        .flatMap(([action, list]) => list.map((r) => controlRule(r, { action }))),
      shortcuts: new Map(Object.entries(t.shortcuts ?? {})),
      composers: Object.values(t.composers ?? {}).map((c) => ({
        ...c,
        submitKeys: new Set(c.submitKeys ?? []),
        submit: (c.submit ?? []).map((r) => controlRule(r)),
      })),
      healthy: new WeakSet(), // posts in which a control of this table was found once
    };
    // The controls expected inside a post; a site with none (WhatsApp: menus and the chat box) is judged on its
    // composers instead.
    compiled.inPost = compiled.controls.filter((r) => r.selector && r.scope !== "last" && r.scope !== "none");
    return compiled;
  }

  /** Two-level merge: a hot-fix's `controls.like` replaces the site's `controls.like` and nothing else. */
  function merge(base, override) {
    const merged = { ...base };
    for (const [name, sub] of Object.entries(override ?? {})) {
      if (sub && typeof sub === "object" && !Array.isArray(sub)) merged[name] = { ...base[name], ...sub };
    }
    return merged;
  }

  /** The control of `rule` the event target is in, or null. */
  function controlFor(target, rule) {
    const control = target.closest(rule.selector ?? CLICKABLE);
    if (!control) return null;
    if (rule.label && !rule.label(accessibleName(control))) return null;
    if (rule.within && !control.closest(rule.within)) return null;
    return control;
  }

  // ── posts and context ───────────────────────────────────────────────────────────────────────────────
  function postOf(node) {
    return node?.closest?.(rules.post) ?? null;
  }

  function extract(postEl) {
    return postEl ? site.extract(postEl, table) : {};
  }

  function composerOf(node) {
    if (!node?.closest) return null;
    for (const composer of rules.composers) {
      const textbox = node.closest(composer.textbox);
      if (textbox) return { composer, textbox };
    }
    return null;
  }

  function draftOf(textbox) {
    if (site.draftOf) return site.draftOf(textbox);
    const value = "value" in textbox && typeof textbox.value === "string" ? textbox.value : textbox.innerText;
    return String(value ?? "").trim();
  }

  function composerContext(textbox) {
    if (site.composerContext) return site.composerContext(textbox, table);
    const postEl = postOf(textbox) ?? (lastPost?.isConnected ? lastPost : null);
    return { action: postEl ? "comment" : "post", postEl };
  }

  function composerIntent(textbox) {
    const { action, postEl } = composerContext(textbox);
    return { action, postEl, post: extract(postEl), draft: draftOf(textbox), textbox };
  }

  function controlIntent(target, on) {
    for (const rule of rules.controls) {
      if ((rule.on ?? "click") !== on) continue;
      const control = controlFor(target, rule);
      if (!control) continue;
      const custom = site.contextFor?.(control, rule, table);
      if (custom?.post) return { action: rule.action, control, postEl: custom.postEl ?? null, post: custom.post };
      let postEl = custom?.postEl ?? null;
      if (!postEl && rule.scope !== "none") {
        postEl = rule.scope === "last" ? null : postOf(control);
        postEl ??= lastPost?.isConnected ? lastPost : null;
      }
      return { action: rule.action, control, postEl, post: extract(postEl) };
    }
    if (on !== "click") return null;
    for (const composer of rules.composers) {
      for (const rule of composer.submit) {
        const control = controlFor(target, rule);
        if (!control) continue;
        const textbox = findComposerTextbox(control, composer);
        if (!textbox) return null;
        return { ...composerIntent(textbox), control };
      }
    }
    return null;
  }

  /** The composer textbox a send button belongs to: the nearest one sharing an ancestor with the button. */
  function findComposerTextbox(control, composer) {
    for (let node = control.parentElement; node; node = node.parentElement) {
      const textbox = node.querySelector(composer.textbox);
      if (textbox) return textbox;
    }
    return null;
  }

  // ── verdicts ────────────────────────────────────────────────────────────────────────────────────────
  const entityKeys = (action, response) =>
    response.verdict === "unchecked" ? [`${action}|unchecked`]
      : (response.matches ?? []).map((m) => `${action}|${m.entity_id}`);

  /** The user already proceeded on these entities for this action on this post (e.g. reply icon, then send). */
  function alreadyAcknowledged(intent, response) {
    const seen = intent.postEl && acknowledged.get(intent.postEl);
    if (!seen || response.verdict === "block") return false;
    const keys = entityKeys(intent.action, response);
    return keys.length > 0 && keys.every((key) => seen.has(key));
  }

  function rememberAcknowledged(intent, response) {
    if (!intent.postEl) return;
    const seen = acknowledged.get(intent.postEl) ?? new Set();
    for (const key of entityKeys(intent.action, response)) seen.add(key);
    acknowledged.set(intent.postEl, seen);
  }

  /** A verdict known without asking: allowed post, pre-fetched response, or a checked draft. Else null. */
  function knownVerdict(intent) {
    const hasDraft = Boolean(intent.draft);
    if (hasDraft) {
      const entry = drafts.get(intent.textbox);
      return entry && entry.text === intent.draft && entry.action === intent.action ? entry.response : null;
    }
    // A post action with nothing to read (an empty composer's button) is allowed; a sticker's label is checked.
    if (!intent.postEl) return intent.action === "post" && !intent.post?.text ? { verdict: "allow" } : null;
    const record = postVerdicts.get(intent.postEl);
    if (!record || record.fp !== Netral.extract.fingerprint(intent.post)) return null;
    if (!record.matched) return { verdict: "allow" };
    return record.responses[intent.action] ?? null;
  }

  function rememberVerdict(intent, response) {
    if (intent.draft || !intent.postEl || response.verdict === "unchecked" || response.unchecked) return;
    if (intent.generation !== generation) return;
    const fp = Netral.extract.fingerprint(intent.post);
    let record = postVerdicts.get(intent.postEl);
    if (!record || record.fp !== fp) record = { fp, matched: true, responses: {} };
    record.responses[intent.action] = response;
    if (response.verdict === "allow" && !response.matches?.length && intent.action === "like") record.matched = false;
    postVerdicts.set(intent.postEl, record);
  }

  // ── holding, deciding, replaying ────────────────────────────────────────────────────────────────────
  function hold(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  /** Called for every trusted event that is an action; returns without touching the event when allowed. */
  function intercept(event, intent) {
    if (!enabled) return;
    if (held) { hold(event); return; } // one decision at a time; a second click during a check is dropped
    if (intent.postEl) { lastPost = intent.postEl; lastActionPost[intent.action] = intent.postEl; }
    const known = knownVerdict(intent);
    if (known && (known.verdict === "allow" || alreadyAcknowledged(intent, known))) return;
    hold(event);
    if (event.type === "keydown") swallowKeyup = event.key;
    held = intent;
    intent.generation = generation;
    if (known) { decide(intent, known); return; }
    Netral.send("check", {
      platform: site.platform, action: intent.action, post: intent.post, draft_text: intent.draft || null,
    }).catch((error) => ({ verdict: "unchecked", reason: String(error?.message ?? error) }))
      .then((response) => decide(intent, response));
  }

  async function decide(intent, response) {
    rememberVerdict(intent, response);
    if (response.verdict === "allow" || alreadyAcknowledged(intent, response)) {
      held = null;
      replay(intent);
      return;
    }
    const verdict = ["warn", "block"].includes(response.verdict) ? response.verdict : "unchecked";
    const outcome = await Netral.warning.show({
      verdict, response, action: intent.action, post: intent.post, returnFocus: intent.control ?? intent.textbox,
    });
    held = null;
    acknowledge(intent, response, outcome);
    if (outcome === "proceeded") {
      rememberAcknowledged(intent, response);
      replay(intent);
    }
  }

  function acknowledge(intent, response, outcome) {
    const ack = {
      ack_id: crypto.randomUUID(),
      check_id: response.check_id ?? null,
      platform: site.platform,
      action: intent.action,
      outcome,
      entity_ids: (response.matches ?? []).map((m) => m.entity_id),
      election_ids: [...new Set((response.matches ?? []).map((m) => m.election?.id).filter(Boolean))],
      bundle_id: response.rules?.bundle_id ?? null,
      rules_version: response.rules?.version ?? null,
      occurred_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      justification: null,
    };
    Netral.send("acknowledge", { ack }).catch(() => {});
  }

  /** Performs the held action once, the way the user started it. */
  function replay(intent) {
    const { event } = intent;
    replaying = true;
    try {
      if (event.type === "submit") {
        event.target.requestSubmit(event.submitter ?? undefined);
      } else if (event.type === "keydown") {
        const init = {
          key: event.key, code: event.code, keyCode: event.keyCode, which: event.which, location: event.location,
          ctrlKey: event.ctrlKey, metaKey: event.metaKey, shiftKey: event.shiftKey, altKey: event.altKey,
          bubbles: true, cancelable: true, composed: true,
        };
        const target = event.target.isConnected ? event.target : document.activeElement ?? document.body;
        target.dispatchEvent(new KeyboardEvent("keydown", init));
        target.dispatchEvent(new KeyboardEvent("keyup", init));
      } else if (event.type === "dblclick") {
        event.target.dispatchEvent(new MouseEvent("dblclick", {
          bubbles: true, cancelable: true, composed: true, detail: 2,
          clientX: event.clientX, clientY: event.clientY, screenX: event.screenX, screenY: event.screenY,
        }));
      } else {
        (intent.control ?? event.target).click();
      }
    } finally {
      replaying = false;
    }
  }

  // ── listeners ───────────────────────────────────────────────────────────────────────────────────────
  function ours(event) {
    return !event.isTrusted || replaying || Netral.warning.contains(event);
  }

  function notePost(event) {
    if (ours(event)) return;
    const postEl = postOf(event.target);
    if (postEl) lastPost = postEl;
  }

  function onClick(event) {
    if (ours(event) || !(event.target instanceof Element)) return;
    notePost(event);
    const intent = controlIntent(event.target, event.type);
    if (intent) intercept(event, { ...intent, event });
  }

  const isNativeActivator = (el) => el.matches("button, a[href], input, summary, select");

  function onKeydown(event) {
    if (ours(event) || event.isComposing || !(event.target instanceof Element)) return;
    const target = event.target;
    const mod = event.ctrlKey || event.metaKey;

    if (event.key === "Enter") {
      const found = composerOf(target);
      if (found) {
        const wants = mod ? "Mod+Enter" : event.shiftKey || event.altKey ? null : "Enter";
        if (wants && found.composer.submitKeys.has(wants)) {
          intercept(event, { ...composerIntent(found.textbox), event });
        }
        return;
      }
    }
    if ((event.key === "Enter" || event.key === " ") && !mod && !event.altKey) {
      const intent = controlIntent(target, "click");
      // Native buttons and links turn Enter/Space into a trusted click, which onClick handles.
      if (intent && !isNativeActivator(intent.control)) intercept(event, { ...intent, event });
      if (intent) return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
    const action = rules.shortcuts.get(event.key);
    if (!action || target.closest(EDITABLE) || target.isContentEditable) return;
    const postEl = site.selectedPost ? site.selectedPost(table) : postOf(document.activeElement);
    if (!postEl) return;
    intercept(event, { action, postEl, post: extract(postEl), control: postEl, event });
  }

  function onKeyup(event) {
    if (!event.isTrusted || swallowKeyup === null || event.key !== swallowKeyup) return;
    swallowKeyup = null;
    hold(event);
  }

  function onSubmit(event) {
    if (ours(event)) return;
    const form = event.target;
    for (const composer of rules.composers) {
      if (!composer.form || !form.matches(composer.form)) continue;
      const textbox = form.querySelector(composer.textbox);
      if (textbox) intercept(event, { ...composerIntent(textbox), control: event.submitter ?? null, event });
      return;
    }
  }

  // Drafts are checked while the user types, so sending an allowed comment is never held.
  const draftTimers = new WeakMap();
  function onInput(event) {
    if (!event.isTrusted || !(event.target instanceof Element)) return;
    const found = composerOf(event.target);
    if (!found) return;
    clearTimeout(draftTimers.get(found.textbox));
    draftTimers.set(found.textbox, setTimeout(() => precheckDraft(found.textbox), DRAFT_DELAY_MS));
  }

  async function precheckDraft(textbox) {
    if (!enabled || !textbox.isConnected) return;
    const intent = composerIntent(textbox);
    if (!intent.draft) return;
    const asked = generation;
    const response = await Netral.send("check", {
      platform: site.platform, action: intent.action, post: intent.post, draft_text: intent.draft,
    }).catch(() => null);
    if (response && asked === generation && response.verdict !== "unchecked" && !response.unchecked) {
      drafts.set(textbox, { text: intent.draft, action: intent.action, response });
    }
  }

  // ── classification ahead of time ────────────────────────────────────────────────────────────────────
  const pendingClassify = new Set();
  let classifiedBatches = 0;
  let classifyTimer = null;

  const viewport = new IntersectionObserver((entries) => {
    for (const entry of entries) if (entry.isIntersecting) pendingClassify.add(entry.target);
    if (pendingClassify.size && !classifyTimer) classifyTimer = setTimeout(classifyPending, CLASSIFY_DELAY_MS);
  }, { rootMargin: "800px 0px" });

  async function classifyPending() {
    classifyTimer = null;
    if (!enabled) return;
    const batch = [];
    for (const postEl of pendingClassify) {
      pendingClassify.delete(postEl);
      if (!postEl.isConnected) continue;
      const post = extract(postEl);
      const fp = Netral.extract.fingerprint(post);
      if (postVerdicts.get(postEl)?.fp === fp) continue;
      batch.push({ postEl, post, fp });
    }
    if (!batch.length) return;
    const asked = generation;
    const answer = await Netral.send("classify", {
      platform: site.platform, posts: batch.map(({ post }, key) => ({ key, post })),
    }).catch(() => null);
    if (asked !== generation) return; // the epoch changed meanwhile: these posts are being classified again
    for (const result of answer?.results ?? []) {
      const item = batch[result.key];
      if (!item) continue;
      postVerdicts.set(item.postEl, { fp: item.fp, matched: result.matched, responses: result.responses ?? {} });
    }
    // A count of answered batches: lets tests and the benchmark wait for "classified ahead".
    if (answer?.results) document.documentElement.dataset.netralClassified = String(++classifiedBatches);
  }

  /**
   * The companion's rules epoch changed (another bundle, a stage began or ended): every verdict and checked draft
   * is forgotten, and so is what the user proceeded on, which they decided under the old rules.
   */
  function forgetVerdicts() {
    postVerdicts = new WeakMap();
    drafts = new WeakMap();
    acknowledged = new WeakMap();
    generation += 1;
    document.documentElement.dataset.netralRulesChanged = String(generation); // lets tests wait for it
    reclassify();
  }

  /** After an in-app navigation: observing a post again reports it in view again, so it is re-classified. */
  function reclassify() {
    for (const postEl of document.querySelectorAll(rules.post)) {
      viewport.unobserve(postEl);
      viewport.observe(postEl);
      observed.add(postEl);
    }
    scheduleScan();
  }

  let scanTimer = null;
  function scheduleScan() {
    scanTimer ??= setTimeout(scan, SCAN_INTERVAL_MS);
  }

  function scan() {
    scanTimer = null;
    if (!rules) return;
    let seen = 0;
    let matched = 0;
    for (const postEl of document.querySelectorAll(rules.post)) {
      seen += 1;
      if (hasControl(postEl)) matched += 1;
      if (!observed.has(postEl)) {
        observed.add(postEl);
        viewport.observe(postEl);
      }
    }
    reportHealth(seen, matched);
  }

  /** A control of the table (selector and label) is in this post; a post that had one stays counted. */
  function hasControl(postEl) {
    if (!rules.inPost.length) {
      return rules.composers.some((c) => document.querySelector(c.textbox));
    }
    if (rules.healthy.has(postEl)) return true;
    const found = rules.inPost.some((rule) => [...postEl.querySelectorAll(rule.selector)]
      .some((el) => !rule.label || rule.label(accessibleName(el))));
    if (found) rules.healthy.add(postEl);
    return found;
  }

  /**
   * Tells the service worker whether the site shows posts and whether the table's controls are in them (the
   * popup's "no control matched"); a breakage is reported only once it has lasted BREAKAGE_GRACE_MS, so a post
   * still rendering its action bar is not one.
   */
  function reportHealth(postsSeen, controlsMatched) {
    const now = Date.now();
    if (postsSeen > 0 && controlsMatched === 0) {
      if (!health.brokenSince) {
        health.brokenSince = now;
        setTimeout(scheduleScan, BREAKAGE_GRACE_MS + 50);
      }
      if (now - health.brokenSince < BREAKAGE_GRACE_MS) return;
    } else {
      health.brokenSince = 0;
    }
    const summary = `${postsSeen > 0}|${controlsMatched > 0}`;
    if (postsSeen === 0 || (summary === health.reported && now - health.reportedAt < HEALTH_INTERVAL_MS)) return;
    Object.assign(health, { postsSeen, controlsMatched, reported: summary, reportedAt: now });
    Netral.send("siteHealth", { platform: site.platform, postsSeen, controlsMatched }).catch(() => {});
  }

  // ── public surface ──────────────────────────────────────────────────────────────────────────────────
  Netral.defineSite = (definition) => {
    if (!definition?.platform || !definition.table?.post?.container || typeof definition.extract !== "function") {
      throw new Error("Netral.defineSite needs platform, table.post.container and extract()");
    }
    site = definition;
    table = definition.table;
    rules = compile(table);
  };

  Netral.engine = {
    /** Installs the listeners (capture phase, on window) and the observers; idempotent per document. */
    start() {
      if (!site) throw new Error("no site defined");
      const options = { capture: true };
      window.addEventListener("click", onClick, options);
      window.addEventListener("dblclick", onClick, options);
      window.addEventListener("keydown", onKeydown, options);
      window.addEventListener("keyup", onKeyup, options);
      window.addEventListener("submit", onSubmit, options);
      window.addEventListener("input", onInput, options);
      window.addEventListener("pointerover", notePost, { capture: true, passive: true });
      window.addEventListener("focusin", notePost, { capture: true, passive: true });
      // One cheap callback per mutation batch; the scan itself runs at most every SCAN_INTERVAL_MS.
      new MutationObserver(scheduleScan).observe(document, { childList: true, subtree: true });
      window.addEventListener("popstate", scheduleScan);
      globalThis.navigation?.addEventListener("navigatesuccess", scheduleScan);
      for (const type of site.navigationEvents ?? []) document.addEventListener(type, reclassify);
      chrome.runtime.onMessage.addListener((message) => {
        if (message?.what === "rulesChanged") forgetVerdicts();
      });
      scheduleScan();
    },

    /**
     * Applies a selector hot-fix from a signed bundle (`selectors.<platform>`, fetched by boot.js through the
     * `selectors`/`siteConfig` message): {tableName: {key: value}}; each key replaces the site's own, so a
     * redesign is fixed by shipping e.g. just {controls: {like: [...]}}. Verdicts already known stay valid.
     */
    applyOverride(override) {
      if (!override || typeof override !== "object") return;
      table = merge(site.table, override);
      rules = compile(table);
      document.documentElement.dataset.netralSelectors = "bundle"; // lets tests wait for the hot-fix
      scheduleScan();
    },

    setEnabled(value) {
      enabled = Boolean(value);
    },

    get platform() { return site?.platform ?? null; },
    /** The post the user last interacted with (for composer and menu hooks of site files). */
    get lastPost() { return lastPost?.isConnected ? lastPost : null; },
    lastActionPost(action) { return lastActionPost[action]?.isConnected ? lastActionPost[action] : null; },
  };
})();
