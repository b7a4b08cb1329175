// Verdicts: what the engine knows without asking, and the service-worker fan-out that fills it. One verdict shape
// (the companion's check response), one cache policy: a post's verdicts hold while its fingerprint is the same
// and the rules epoch has not changed; a draft's while its text is the same. Posts are classified in batches as
// they come near the viewport, then no longer observed (scrolling a long feed costs no observer work for posts
// already known); an epoch change forgets everything and classifies the posts on the page again.
"use strict";

(() => {
  const s = Netral.core.state;

  let postVerdicts = new WeakMap(); // post element -> {fp, matched, responses: {action: response}}
  let drafts = new WeakMap(); // composer textbox -> {text, action, response}
  let acknowledged = new WeakMap(); // post element -> Set of "action|entity" the user already proceeded on
  let generation = 0; // counts forget(): an answer asked for under an older epoch is not kept
  const observed = new WeakSet();
  // Posts that changed (a mutation inside them) since they were classified: their verdicts hold only if they
  // still read the same (fingerprint). One observer for all classified posts.
  // A change inside a part of the post the table calls volatile (a like toggling its button's label) is not one.
  // Watched from the moment a post is read for its classification, so a change while it is asked about counts.
  let changed = new WeakSet();
  const reading = new WeakSet(); // posts read for a classification not answered yet
  const WATCH = { subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ["href", "aria-label", "alt"] };
  const watcher = new MutationObserver((records) => {
    const volatile = s.table?.post?.volatile;
    for (const record of records) {
      const element = record.target.nodeType === Node.ELEMENT_NODE ? record.target : record.target.parentElement;
      let part = null;
      try {
        part = volatile && element ? element.closest(volatile) : null;
      } catch {
        part = null; // a selector the browser refuses: every change counts
      }
      for (let node = record.target; node; node = node.parentNode) {
        if (postVerdicts.has(node) || reading.has(node)) {
          if (!part || part === node || !node.contains(part)) changed.add(node);
          break;
        }
      }
    }
  });

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
  function known(intent) {
    if (intent.draft) {
      const entry = drafts.get(intent.textbox);
      return entry && entry.text === intent.draft && entry.action === intent.action ? entry.response : null;
    }
    // A post action with nothing to read (an empty composer's button) is allowed; a sticker's label is checked.
    if (!intent.postEl) return intent.action === "post" && !intent.post?.text ? { verdict: "allow" } : null;
    const record = postVerdicts.get(intent.postEl);
    if (!record) return null;
    // Unchanged since it was classified (no mutation inside it): its verdicts hold without reading it again. A
    // changed post that still reads the same is unchanged again, until its next mutation.
    if (changed.has(intent.postEl)) {
      if (record.fp !== Netral.extract.fingerprint(intent.post)) return null;
      changed.delete(intent.postEl);
      record.post = intent.post;
    }
    if (!record.matched) return { verdict: "allow" };
    return record.responses[intent.action] ?? null;
  }

  function remember(intent, response) {
    if (intent.draft || !intent.postEl || response.verdict === "unchecked" || response.unchecked) return;
    if (intent.generation !== generation) return;
    const fp = Netral.extract.fingerprint(intent.post);
    let record = postVerdicts.get(intent.postEl);
    if (!record || record.fp !== fp) record = { fp, matched: true, responses: {} };
    record.post = intent.post;
    record.responses[intent.action] = response;
    if (response.verdict === "allow" && !response.matches?.length && intent.action === "like") record.matched = false;
    postVerdicts.set(intent.postEl, record);
  }

  function rememberDraft(textbox, intent, response, asked) {
    if (response && asked === generation && response.verdict !== "unchecked" && !response.unchecked) {
      drafts.set(textbox, { text: intent.draft, action: intent.action, response });
    }
  }

  // ── classification ahead of time ────────────────────────────────────────────────────────────────────
  const pending = new Set();
  const classifying = new WeakMap(); // post element -> the batch asking about it (settles when answered)
  let batches = 0;
  let queued = false;
  // Posts whose batch got no verdicts (the companion not up yet, the worker gone): asked about again on a delay
  // that doubles while it lasts, so a page opened before the companion started is classified once it is up.
  const RETRY_FIRST_MS = 1000;
  const RETRY_MAX_MS = 60_000;
  const unanswered = new Set();
  let retryMs = RETRY_FIRST_MS;
  let retryTimer = null;

  function retryLater(batch) {
    for (const { postEl } of batch) unanswered.add(postEl);
    if (retryTimer !== null) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      for (const postEl of unanswered) pending.add(postEl);
      unanswered.clear();
      queueClassify();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  // The observer reports every post that came near the viewport (scrolled into it) in one callback, once per
  // frame: they go out as one batch in the same frame.
  const viewport = new IntersectionObserver((entries) => {
    for (const entry of entries) if (entry.isIntersecting) pending.add(entry.target);
    queueClassify();
  }, { rootMargin: "800px 0px" });

  // A post just added is read at the next animation frame (its box is laid out by then), not when the observer
  // reports it: the observer's callback comes a frame or more after that. The observer still reports the rest.
  const MARGIN_PX = 800;
  const fresh = new Set();
  let freshQueued = false;

  /** Starts watching a post found by a scan (once per post and epoch). */
  function observe(postEl) {
    if (observed.has(postEl)) return;
    observed.add(postEl);
    viewport.observe(postEl);
    fresh.add(postEl);
    if (!freshQueued) {
      freshQueued = true;
      requestAnimationFrame(readFresh);
    }
  }

  function readFresh() {
    freshQueued = false;
    for (const postEl of fresh) {
      const box = postEl.isConnected ? postEl.getBoundingClientRect() : null;
      if (box && (box.width || box.height) && box.bottom > -MARGIN_PX && box.top < innerHeight + MARGIN_PX) {
        pending.add(postEl);
      }
    }
    fresh.clear();
    queueClassify();
  }

  /** The pending posts go out as one batch at the end of this task. */
  function queueClassify() {
    if (pending.size && !queued) {
      queued = true;
      queueMicrotask(classifyPending);
    }
  }

  async function classifyPending() {
    queued = false;
    if (!s.enabled) return;
    const batch = [];
    for (const postEl of pending) {
      pending.delete(postEl);
      if (!postEl.isConnected || classifying.has(postEl)) continue; // gone, or its answer is under way
      const post = Netral.intent.extract(postEl);
      if (Netral.health.empty(post)) {
        Netral.health.noteUnreadable(postEl);
        continue; // never an empty check; an action on it is answered as "could not be checked"
      }
      const fp = Netral.extract.fingerprint(post);
      if (postVerdicts.get(postEl)?.fp === fp) continue;
      batch.push({ postEl, post, fp });
      changed.delete(postEl);
      reading.add(postEl);
      watcher.observe(postEl, WATCH);
    }
    if (!batch.length) return;
    const asked = generation;
    performance.mark("netral:classify-sent");
    const request = Netral.send("classify", {
      platform: s.site.platform, posts: batch.map(({ post }, key) => ({ key, post })),
    }).catch(() => null);
    for (const { postEl } of batch) classifying.set(postEl, request);
    const answer = await request;
    for (const { postEl } of batch) {
      if (classifying.get(postEl) === request) classifying.delete(postEl);
      reading.delete(postEl);
    }
    if (asked !== generation) {
      // The epoch changed while they were asked about. The posts the epoch change found in flight were left to this
      // batch (one question per post at a time), so they are asked about again here, under the new epoch.
      for (const { postEl } of batch) pending.add(postEl);
      queueClassify();
      return;
    }
    if (!answer?.results || answer.unchecked) retryLater(batch);
    else retryMs = RETRY_FIRST_MS;
    for (const result of answer?.results ?? []) {
      const item = batch[result.key];
      if (!item) continue;
      // `post` is what was read: an action on the post while it is unchanged uses it rather than read it again. A
      // change seen while it was asked about stays noted, so the next action reads the post and compares.
      postVerdicts.set(item.postEl,
        { fp: item.fp, matched: result.matched, responses: result.responses ?? {}, post: item.post });
      viewport.unobserve(item.postEl); // known now; a changed post is read again when acted on
    }
    // A count of answered batches: lets tests and the benchmark wait for "classified ahead".
    stageInView(batch, answer?.results ?? []);
    if (answer?.results) {
      performance.mark("netral:classified");
      document.documentElement.dataset.netralClassified = String(++batches);
    }
  }

  /**
   * The last post of a batch that warns and is on screen has its like warning rendered ahead in the hidden frame
   * (a pointer over another post's control stages that one instead), so a click on it costs only the reveal.
   */
  function stageInView(batch, results) {
    if (Netral.warning.isOpen() || Netral.hold?.held) return;
    for (const result of [...results].reverse()) {
      const item = batch[result.key];
      const response = result.responses?.like;
      if (!item || !["warn", "block"].includes(response?.verdict)) continue;
      const box = item.postEl.getBoundingClientRect();
      if (box.bottom <= 0 || box.top >= innerHeight || !item.postEl.isConnected) continue;
      Netral.warning.stage({ verdict: response.verdict, response, action: "like", post: item.post });
      return;
    }
  }

  /**
   * The companion's rules epoch changed (another bundle, a stage began or ended): every verdict and checked draft
   * is forgotten, and so is what the user proceeded on, which they decided under the old rules.
   */
  function forget() {
    postVerdicts = new WeakMap();
    drafts = new WeakMap();
    acknowledged = new WeakMap();
    changed = new WeakSet();
    watcher.disconnect();
    generation += 1;
    document.documentElement.dataset.netralRulesChanged = String(generation); // lets tests wait for it
    reclassify();
  }

  /** After an in-app navigation or an epoch change: every post on the page is reported in view again. */
  function reclassify() {
    for (const postEl of document.querySelectorAll(s.rules.post)) {
      viewport.unobserve(postEl);
      viewport.observe(postEl);
      observed.add(postEl);
    }
    Netral.health.schedule();
  }

  /** What a classified post read when it was classified (or last acted on), while it has not changed since. */
  function readOf(postEl) {
    const record = postEl && postVerdicts.get(postEl);
    return record?.post && !changed.has(postEl) ? record.post : null;
  }

  Netral.verdicts = {
    known,
    readOf,
    /** The classification in flight for this post (a promise that settles when it is answered), else null. */
    classifying: (postEl) => (postEl && classifying.get(postEl)) ?? null, remember, rememberDraft, alreadyAcknowledged, rememberAcknowledged, observe, forget, reclassify,
    get generation() { return generation; },
  };
})();
