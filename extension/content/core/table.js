// Table compile: a site's JSON table, with a signed bundle's hot-fix over it, into the rules the engine runs.
// A rule whose selector does not parse, or that throws when run, is skipped and named in the site's health: one
// bad entry of a hot-fix never disables a site (issue 11 §4).
"use strict";

(() => {
  const CLICKABLE = "button, [role='button'], [role='menuitem'], [role='menuitemradio'], [role='option'], " +
    "[role='link'], [role='tab'], a[href], input[type='submit'], input[type='button']";
  const EDITABLE = "input, textarea, select, [contenteditable=''], [contenteditable='true'], " +
    "[contenteditable='plaintext-only']";
  const ON = new Set(["click", "dblclick"]);

  const norm = (s) => String(s ?? "").replace(/\s+/g, " ").trim().toLowerCase();
  const problems = new Set(); // "where: what", for the popup's site health

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

  /** True if `selector` parses (a fragment answers querySelector without touching the page). */
  function parses(selector) {
    if (typeof selector !== "string" || !selector.trim()) return false;
    try {
      document.createDocumentFragment().querySelector(selector);
      return true;
    } catch {
      return false;
    }
  }

  /** The nearest ancestor-or-self of `node` matching `selector`, crossing open shadow roots to their hosts. */
  function closestAcross(node, selector) {
    for (let el = node instanceof Element ? node : node?.parentElement; el;) {
      const hit = el.closest(selector);
      if (hit) return hit;
      const root = el.getRootNode();
      el = root instanceof ShadowRoot ? root.host : null;
    }
    return null;
  }

  /** The outermost ancestor-or-self of `node` matching `selector` (posts that nest: quotes, threads). */
  function outermost(node, selector) {
    let found = closestAcross(node, selector);
    for (let outer = found; outer;) {
      const up = outer.parentElement ?? (outer.getRootNode() instanceof ShadowRoot ? outer.getRootNode().host : null);
      outer = up ? closestAcross(up, selector) : null;
      if (outer) found = outer;
    }
    return found;
  }

  function compile(t) {
    problems.clear();
    const rule = (r, where, extra = {}) => {
      for (const key of ["selector", "within"]) {
        if (r[key] !== undefined && !parses(r[key])) {
          problems.add(`${where}: ${key} ${JSON.stringify(r[key]).slice(0, 120)} does not parse`);
          return null;
        }
      }
      if (r.on !== undefined && !ON.has(r.on)) {
        problems.add(`${where}: on ${JSON.stringify(r.on)} is not one of ${[...ON].join(", ")}`);
        return null;
      }
      return { ...r, ...extra, where, label: labelMatcher(r.labels) };
    };
    const container = [t.post?.container].flat().filter(Boolean).join(", ");
    if (!parses(container)) throw new Error(`post.container ${JSON.stringify(container)} does not parse`);
    const compiled = {
      post: container,
      nesting: t.post?.nesting === "innermost" ? "innermost" : "outermost",
      controls: Object.entries(t.controls ?? {}).flatMap(([action, list]) =>
        (Array.isArray(list) ? list : []).map((r, i) => rule(r, `controls.${action}[${i}]`, { action }))
          .filter(Boolean)),
      shortcuts: new Map(Object.entries(t.shortcuts ?? {})),
      composers: Object.entries(t.composers ?? {}).flatMap(([name, c]) => {
        if (!parses(c.textbox) || (c.form !== undefined && !parses(c.form))) {
          problems.add(`composers.${name}: textbox or form does not parse`);
          return [];
        }
        return [{
          ...c, name,
          submitKeys: new Set(c.submitKeys ?? []),
          submit: (c.submit ?? []).map((r, i) => rule(r, `composers.${name}.submit[${i}]`)).filter(Boolean),
        }];
      }),
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

  /** The control of `rule` the event target is in, or null; a rule that throws is reported and skipped. */
  function controlFor(target, rule) {
    try {
      const control = closestAcross(target, rule.selector ?? CLICKABLE);
      if (!control) return null;
      if (rule.label && !rule.label(accessibleName(control))) return null;
      if (rule.within && !closestAcross(control, rule.within)) return null;
      return control;
    } catch (error) {
      problems.add(`${rule.where}: ${String(error?.message ?? error).slice(0, 120)}`);
      return null;
    }
  }

  Netral.table = {
    CLICKABLE, EDITABLE, norm, accessibleName, parses, closestAcross, outermost, compile, merge, controlFor,
    /** What is wrong with the current table (bad hot-fix entries), for the site's health report. */
    get problems() { return [...problems]; },
  };
})();
