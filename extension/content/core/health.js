// Health: does the table still fit the site? Scans count the posts on the page, those in which a control of the
// table is found, and those whose extraction comes back empty (never sent as an empty check); bad entries of a
// hot-fix are named. The service worker keeps the last report per site for the popup, and on request a
// sanitized skeleton of one post, which an agency can write a selector hot-fix from.
"use strict";

(() => {
  const SCAN_INTERVAL_MS = 150;
  const HEALTH_INTERVAL_MS = 15000;
  const BREAKAGE_GRACE_MS = 3000; // posts without any known control for this long: the table no longer fits
  const s = Netral.core.state;
  const { accessibleName, CLICKABLE } = Netral.table;

  const report = { reportedAt: 0, reported: "", brokenSince: 0 };
  const unreadable = new WeakSet();
  let unreadableCount = 0;

  /** A post with nothing the companion could match: no author, text, hashtag or mention. */
  function empty(post) {
    return !post || !(post.author_handle || post.author_name || post.original_author_handle || post.text ||
      post.hashtags?.length || post.mentions?.length);
  }

  function noteUnreadable(postEl) {
    if (unreadable.has(postEl)) return;
    unreadable.add(postEl);
    unreadableCount += 1;
    schedule();
  }

  let timer = null;
  function schedule() {
    timer ??= setTimeout(scan, SCAN_INTERVAL_MS);
  }

  function scan() {
    timer = null;
    if (!s.rules) return;
    let seen = 0;
    let matched = 0;
    for (const postEl of document.querySelectorAll(s.rules.post)) {
      seen += 1;
      if (hasControl(postEl)) matched += 1;
      Netral.verdicts.observe(postEl);
    }
    send(seen, matched);
  }

  /** A control of the table (selector and label) is in this post; a post that had one stays counted. */
  function hasControl(postEl) {
    const rules = s.rules;
    if (!rules.inPost.length) return rules.composers.some((c) => document.querySelector(c.textbox));
    if (rules.healthy.has(postEl)) return true;
    const found = rules.inPost.some((rule) => {
      try {
        return [...postEl.querySelectorAll(rule.selector)].some((el) => !rule.label || rule.label(accessibleName(el)));
      } catch {
        return false;
      }
    });
    if (found) rules.healthy.add(postEl);
    return found;
  }

  /**
   * Tells the service worker whether the site shows posts and whether the table's controls are in them (the
   * popup's "no control matched"), how many posts could not be read, and what is wrong with the table; a breakage
   * is reported only once it has lasted BREAKAGE_GRACE_MS, so a post still rendering its action bar is not one.
   */
  function send(postsSeen, controlsMatched) {
    const now = Date.now();
    if (postsSeen > 0 && controlsMatched === 0) {
      if (!report.brokenSince) {
        report.brokenSince = now;
        setTimeout(schedule, BREAKAGE_GRACE_MS + 50);
      }
      if (now - report.brokenSince < BREAKAGE_GRACE_MS) return;
    } else {
      report.brokenSince = 0;
    }
    const problems = Netral.table.problems;
    const summary = `${postsSeen > 0}|${controlsMatched > 0}|${unreadableCount}|${problems.join("\n")}`;
    if (postsSeen === 0 && !problems.length && !unreadableCount) return;
    if (summary === report.reported && now - report.reportedAt < HEALTH_INTERVAL_MS) return;
    Object.assign(report, { reported: summary, reportedAt: now });
    Netral.send("siteHealth", {
      platform: s.site.platform, postsSeen, controlsMatched, unreadable: unreadableCount, problems,
    }).catch(() => {});
  }

  // ── the breakage report ─────────────────────────────────────────────────────────────────────────────
  const KEPT_ATTRIBUTES = ["role", "data-testid", "data-e2e", "aria-label", "class", "type", "contenteditable"];

  /**
   * One post as a skeleton: tag names, roles, data-testid / data-e2e, class names, and the aria-labels of
   * controls, with every word that also appears in the post's visible text replaced by "…" (names, handles);
   * digits, @handles, #tags and URLs removed; no text nodes, no href, no src.
   */
  function skeleton(postEl, depthLimit = 14) {
    const visible = new Set(String(postEl.innerText ?? postEl.textContent ?? "").toLowerCase()
      .split(/[^\p{L}\p{N}_]+/u).filter((w) => w.length > 1));
    const scrub = (value) => String(value)
      .replace(/https?:\/\/\S+/g, "…").replace(/[@#][\p{L}\p{N}_.]+/gu, "…").replace(/\d+([.,]\d+)*/g, "#")
      .split(/(\s+)/).map((word) => (visible.has(word.toLowerCase().replace(/[^\p{L}\p{N}_]/gu, "")) ? "…" : word))
      .join("");
    const lines = [];
    const walk = (el, depth) => {
      if (depth > depthLimit || lines.length > 400) return;
      const attributes = [];
      for (const name of KEPT_ATTRIBUTES) {
        if (!el.hasAttribute(name)) continue;
        if (name === "aria-label" && !el.matches(CLICKABLE)) continue; // labels of controls only
        const value = name === "class" ? el.getAttribute(name) : scrub(el.getAttribute(name));
        attributes.push(`${name}="${value.replace(/"/g, "'").slice(0, 160)}"`);
      }
      lines.push(`${"  ".repeat(depth)}<${el.tagName.toLowerCase()}${attributes.length ? " " : ""}${attributes.join(" ")}>`);
      for (const child of el.children) walk(child, depth + 1);
    };
    walk(postEl, 0);
    return lines.join("\n");
  }

  /** The skeleton of the first post on the page, for the popup's "copy breakage report". */
  function breakageReport() {
    const postEl = document.querySelector(s.rules.post);
    const head = [`Netral breakage report: ${s.site.platform}`, `page: ${location.hostname}`,
      `problems: ${Netral.table.problems.join("; ") || "none"}`];
    return [...head, "", postEl ? skeleton(postEl) : "(no post found on this page)"].join("\n");
  }

  Netral.health = { empty, noteUnreadable, schedule, skeleton, breakageReport };
})();
