// Hold and replay: a trusted event that is an action is held before the site sees it, answered from what is
// known or by asking the service worker, and let through untouched (allow), or shown the warning and performed
// once, the way the user started it, after "proceed".
"use strict";

(() => {
  const s = Netral.core.state;
  const v = Netral.verdicts;

  let held = null; // the action currently held (waiting for a verdict or a decision)

  function hold(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  /** Called for every trusted event that is an action; returns without touching the event when allowed. */
  function intercept(event, intent) {
    if (!s.enabled) return;
    performance.mark("netral:intercept");
    if (held) { hold(event); return; } // one decision at a time; a second click during a check is dropped
    if (intent.postEl) {
      s.lastPost = intent.postEl;
      s.lastActionPost[intent.action] = intent.postEl;
    }
    const known = v.known(intent);
    if (known && (known.verdict === "allow" || v.alreadyAcknowledged(intent, known))) return;
    if (intent.postEl && !intent.draft && Netral.health.empty(intent.post)) {
      Netral.health.noteUnreadable(intent.postEl); // checked as "could not be checked", never empty
    }
    hold(event);
    if (event.type === "keydown") s.swallowKeyup = event.key;
    // The click that follows a held pointerup is part of the same action; so are the release and the click that
    // follow a held pointerdown.
    if (event.type === "pointerup") s.swallowClick = { element: intent.control ?? event.target, at: event.timeStamp };
    if (event.type === "pointerdown") {
      s.heldPress = { pointerId: event.pointerId };
      // The press's own time: the page never sees this pointerdown, and bench/click_path.py measures from it.
      performance.mark("netral:press", { startTime: event.timeStamp });
    }
    held = intent;
    intent.generation = v.generation;
    if (known) { decide(intent, known, { remembered: true }); return; }
    verdictFor(intent).then((response) => decide(intent, response));
  }

  function ask(intent) {
    return Netral.send("check", {
      platform: s.site.platform, action: intent.action, post: intent.post, draft_text: intent.draft || null,
    }).catch((error) => ({ verdict: "unchecked", reason: String(error?.message ?? error) }));
  }

  // A check started when the pointer went down on a control of a post not yet known, for the click that follows.
  let early = null; // {postEl, action, fp, generation, at, response: Promise}
  const EARLY_MS = 3000;

  /** The early check for this intent, if the post still reads as it did when it was asked (else null). */
  function takeEarly(intent) {
    const found = early;
    early = null;
    if (!found || found.postEl !== intent.postEl || found.action !== intent.action || intent.draft) return null;
    if (found.generation !== v.generation || performance.now() - found.at > EARLY_MS) return null;
    return found.fp === Netral.extract.fingerprint(intent.post) ? found.response : null;
  }

  /** A post's verdict at the click: the early check, else the classification in flight, else a check now. */
  async function verdictFor(intent) {
    const asked = takeEarly(intent);
    if (asked) return asked;
    const classifying = v.classifying(intent.postEl);
    if (classifying) {
      await classifying;
      const known = v.known(intent);
      if (known) return known;
    }
    return ask(intent);
  }

  const warns = (response) => response?.verdict === "warn" || response?.verdict === "block";

  /** True when intercept() would show this intent's warning at once: its verdict is known and warns, unacknowledged. */
  function warnsNow(intent) {
    if (!s.enabled || held || Netral.warning.isOpen()) return false;
    const known = v.known(intent);
    return warns(known) && !v.alreadyAcknowledged(intent, known);
  }

  /**
   * A trusted pointer over (`check: false`) or down on a control: the warning of a post known to warn is rendered
   * ahead in the hidden frame; at pointerdown a post not yet known is asked about (or its classification awaited),
   * so the click finds its answer under way. Nothing here lets an action through: intercept() still decides.
   */
  function anticipate(intent, { check }) {
    if (!s.enabled || held || Netral.warning.isOpen()) return;
    const stage = (response) => {
      if (!held && warns(response) && !v.alreadyAcknowledged(intent, response)) {
        Netral.warning.stage({ verdict: response.verdict, response, action: intent.action, post: intent.post });
      }
    };
    const known = v.known(intent);
    if (known) { stage(known); return; }
    if (!check || !intent.postEl || intent.draft) return;
    const classifying = v.classifying(intent.postEl);
    if (classifying) { classifying.then(() => stage(v.known(intent))); return; }
    if (early?.postEl === intent.postEl && early.action === intent.action) return;
    const response = ask(intent);
    early = { postEl: intent.postEl, action: intent.action, fp: Netral.extract.fingerprint(intent.post),
      generation: v.generation, at: performance.now(), response };
    response.then((answer) => { if (early?.response === response) stage(answer); });
  }

  /** Lets an allowed or acknowledged action through, else shows its warning; `remembered`: a verdict already known. */
  async function decide(intent, response, { remembered = false } = {}) {
    if (!remembered) v.remember(intent, response);
    if (response.verdict === "allow" || v.alreadyAcknowledged(intent, response)) {
      held = null;
      replay(intent);
      return;
    }
    const verdict = ["warn", "block"].includes(response.verdict) ? response.verdict : "unchecked";
    const decision = await Netral.warning.show({
      verdict, response, action: intent.action, post: intent.post, returnFocus: intent.control ?? intent.textbox,
    });
    held = null;
    acknowledge(intent, response, decision);
    if (decision.outcome === "proceeded") {
      v.rememberAcknowledged(intent, response);
      replay(intent);
    }
  }

  /** Records the decision: proceeded, cancelled, interrupted, or disputed with the signals that fired and a note. */
  function acknowledge(intent, response, { outcome, signals, note }) {
    const ack = {
      ack_id: crypto.randomUUID(),
      check_id: response.check_id ?? null,
      platform: s.site.platform,
      action: intent.action,
      outcome,
      entity_ids: (response.matches ?? []).map((m) => m.entity_id),
      election_ids: [...new Set((response.matches ?? []).map((m) => m.election?.id).filter(Boolean))],
      bundle_id: response.rules?.bundle_id ?? null,
      rules_version: response.rules?.version ?? null,
      occurred_at: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      justification: null,
      ...(outcome === "disputed" ? { signals: signals ?? [], note: note ?? null } : {}),
    };
    Netral.send("acknowledge", { ack }).catch(() => {});
  }

  const pointer = (type, event, buttons) => new PointerEvent(type, {
    bubbles: true, cancelable: true, composed: true, pointerId: event.pointerId, pointerType: event.pointerType,
    isPrimary: true, button: event.button, buttons, clientX: event.clientX, clientY: event.clientY,
    screenX: event.screenX, screenY: event.screenY,
  });

  /** Performs the held action once, the way the user started it. */
  function replay(intent) {
    const { event } = intent;
    s.replaying = true;
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
      } else if (event.type === "pointerup" || event.type === "pointerdown") {
        const target = event.target.isConnected ? event.target : intent.control;
        target.dispatchEvent(pointer("pointerdown", event, 1));
        target.dispatchEvent(pointer("pointerup", event, 0));
        (intent.control ?? target).click();
      } else if (event.type === "auxclick") {
        // A middle click opens the link in a new tab; the proceed click is the user gesture window.open needs.
        const href = (intent.control ?? event.target).closest?.("a[href]")?.href;
        if (href) window.open(href, "_blank", "noopener");
      } else {
        (intent.control ?? event.target).click();
      }
    } finally {
      s.replaying = false;
    }
  }

  Netral.hold = { hold, intercept, anticipate, warnsNow, get held() { return held; } };
})();
