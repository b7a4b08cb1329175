// Intent: which action an event is, on which post. The post is the outermost matching container (a quote inside
// a post acts for the post, Threads nests replies) unless the table says `post.nesting: "innermost"` (Facebook,
// whose comments sit inside posts and are their own subjects). A composer's send button wins over control rules
// (Threads' inline reply has a second "Reply" control that sends). Open shadow roots are crossed.
"use strict";

(() => {
  const { closestAcross, outermost, controlFor } = Netral.table;
  const s = Netral.core.state;

  function postOf(node) {
    if (!node) return null;
    return s.rules.nesting === "innermost" ? closestAcross(node, s.rules.post) : outermost(node, s.rules.post);
  }

  function extract(postEl) {
    if (!postEl) return {};
    // A mark per post read (cleared at once, so nothing accumulates): what tests and the benchmark count.
    performance.mark("netral:read");
    performance.clearMarks("netral:read");
    return s.site.extract(postEl, s.table);
  }

  const connected = (el) => (el?.isConnected ? el : null);

  /** The post a menu or dialog item acts on: the post whose control was last pressed or hovered, else the last
   * post pointed at. Hovering a post's body on the way to a popover does not change it (TikTok's share menu). */
  const lastOpener = () => connected(s.lastOpener) ?? connected(s.lastPost);

  /** What site hooks get instead of the engine's state. */
  const context = {
    get table() { return s.table; },
    get lastPost() { return connected(s.lastPost); },
    get lastOpener() { return lastOpener(); },
    lastActionPost: (action) => connected(s.lastActionPost[action]),
    postOf,
    extract,
    profilePost: () => profilePost(),
  };

  function composerOf(node) {
    for (const composer of s.rules.composers) {
      const textbox = closestAcross(node, composer.textbox);
      if (textbox) return { composer, textbox };
    }
    return null;
  }

  function draftOf(textbox) {
    if (s.site.draftOf) return s.site.draftOf(textbox, context);
    const value = "value" in textbox && typeof textbox.value === "string" ? textbox.value : textbox.innerText;
    return String(value ?? "").trim();
  }

  /** Default: a comment on the enclosing post, else on the post whose comment control was last used, else on the
   * last post pointed at; with none of them, a post of one's own. */
  function composerContext(textbox) {
    if (s.site.composerContext) return s.site.composerContext(textbox, s.table, context);
    const postEl = postOf(textbox) ?? context.lastActionPost("comment") ?? context.lastPost;
    return { action: postEl ? "comment" : "post", postEl };
  }

  /**
   * An intent whose `post` is read from its element only when something asks for it: an allowed click on a
   * post classified ahead (and unchanged since) is let through without reading the post at all.
   */
  function lazy(intent) {
    let post;
    Object.defineProperty(intent, "post", {
      enumerable: true,
      // A classified post unchanged since it was read is not read again (an action on it pays no extraction).
      get: () => (post ??= Netral.verdicts.readOf(intent.postEl) ?? extract(intent.postEl)),
    });
    return intent;
  }

  function composerIntent(textbox) {
    const { action, postEl } = composerContext(textbox);
    return { action, postEl, post: extract(postEl), draft: draftOf(textbox), textbox };
  }

  /**
   * The profile on screen, for a follow outside any post, from the table's `page.profile`:
   * {handle?: selector of the handle's text, name?: selector of the display name}; the handle falls back to the
   * URL's first path segment (minus `page.reservedPaths`). Null when the table names no profile.
   */
  function profilePost() {
    const profile = s.table.page?.profile;
    if (!profile) return null;
    const x = Netral.extract;
    const text = (selector) => {
      try {
        return selector ? x.text(document.querySelector(selector)) : "";
      } catch {
        return "";
      }
    };
    const handle = text(profile.handle).replace(/^@/, "")
      || x.handleFromHref(location.href, s.table.page.reservedPaths ?? []);
    const name = text(profile.name);
    return { author_handle: handle || null, author_name: name && name !== handle ? name : null,
      url: location.href };
  }

  function controlIntent(target, on) {
    if (on === "click") {
      const send = composerSend(target, { near: true });
      if (send) return send;
    }
    for (const rule of s.rules.controls) {
      if ((rule.on ?? "click") !== on) continue;
      const control = controlFor(target, rule);
      if (!control) continue;
      const custom = s.site.contextFor?.(control, rule, s.table, context);
      if (custom?.post) return { action: rule.action, control, postEl: custom.postEl ?? null, post: custom.post };
      let postEl = custom?.postEl ?? null;
      if (!postEl && rule.scope !== "none") {
        postEl = rule.scope === "last" ? null : postOf(control);
        if (!postEl && rule.action === "follow" && rule.scope !== "last") {
          const profile = profilePost();
          if (profile) return { action: rule.action, control, postEl: null, post: profile };
        }
        postEl ??= lastOpener();
      }
      return lazy({ action: rule.action, control, postEl });
    }
    return on === "click" ? composerSend(target, { near: false }) : null;
  }

  /**
   * A click on a composer's send button, with the textbox it sends; null if the target is none. `near`: the
   * textbox must share the button's post, dialog or form, which is what lets a send button win over a control
   * rule with the same label; otherwise any textbox of the page that shares an ancestor counts.
   */
  function composerSend(target, { near }) {
    for (const composer of s.rules.composers) {
      for (const rule of composer.submit) {
        const control = controlFor(target, rule);
        if (!control) continue;
        const textbox = findComposerTextbox(control, composer, near);
        if (textbox) return { ...composerIntent(textbox), control };
      }
    }
    return null;
  }

  /** The composer textbox a send button belongs to: the nearest one sharing an ancestor with the button. */
  function findComposerTextbox(control, composer, near) {
    const boundary = `${s.rules.post}, [role='dialog'], form, main`;
    for (let node = control.parentElement; node; node = node.parentElement) {
      const textbox = node.querySelector(composer.textbox);
      if (textbox) return textbox;
      if (near && node.matches(boundary)) return null;
    }
    return null;
  }

  Netral.intent = { postOf, extract, composerOf, composerIntent, controlIntent, context, lastOpener, lazy };
})();
