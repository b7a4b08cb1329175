// Threads (threads.net, threads.com): which controls are actions, and how to read a post. Markup notes are from
// the Threads web client (React, Instagram's atomic classes), 2024–2025, in its Indonesian and English interfaces.
"use strict";

(() => {
  // Action-bar controls are <div role="button" tabindex="0"> around <svg aria-label="Suka" | "Like" role="img">.
  const icon = (...labels) => labels.map((label) => `[role='button']:has(svg[aria-label='${label}'])`).join(", ");

  Netral.defineSite({
    platform: "threads",
    table: {
      post: {
        // Each post of a feed, a thread and its replies: <div data-pressable-container="true">.
        container: "[data-pressable-container='true']",
        // The header's username link <a href="/@prabowo" role="link"><span>prabowo</span></a>.
        author: "a[href^='/@']:not([href*='/post/'])",
        // The text: <span dir="auto"> blocks under the header (the username link's own spans excluded).
        text: "div > span[dir='auto']",
        // Topic tags and hashtags link to the search: <a href="/search?q=%23…&serp_type=tags">.
        hashtag: "a[href*='serp_type=tags'], a[href^='/search?q=%23']",
        // The timestamp <a href="/@user/post/<code>"><time datetime="…"></a>.
        permalink: "a[href*='/post/']",
      },
      controls: {
        // Once liked the icon reads "Batal suka" | "Unlike" (not held).
        like: [{ selector: icon("Suka", "Like") }],
        // "Balas" | "Reply" opens the reply composer.
        comment: [{ selector: icon("Balas", "Reply") }],
        share: [
          // "Posting ulang" | "Repost" opens a menu of "Posting ulang" | "Repost" and "Kutip" | "Quote"; the share
          // icon "Bagikan" | "Share" opens "Salin tautan" | "Copy link", "Bagikan melalui…" | "Share via…".
          { selector: icon("Posting ulang", "Repost", "Bagikan", "Share") },
          // The menu items (in a layer outside the post) are held too when reached without the icon.
          { selector: "[role='button'], [role='menuitem']", within: "[role='menu'], [role='dialog']", scope: "last",
            labels: ["Posting ulang", "Repost", "Kutip", "Quote", "Salin tautan", "Copy link", "Bagikan melalui*", "Share via*"] },
        ],
        // "Ikuti" | "Follow" on profiles and hover cards; the "+" on a feed avatar is aria-label "Ikuti" | "Follow".
        follow: [{ selector: "[role='button'], button", labels: ["Ikuti", "Follow", "Ikuti balik", "Follow back"] }],
      },
      composers: {
        thread: {
          // The composer dialog: <div contenteditable="true" role="textbox" aria-label="Balas ke prabowo…" |
          // "Reply to prabowo…" | "Mulai utas…" | "Start a thread…"> (Lexical), also inline under a post page.
          textbox: "[role='textbox'][contenteditable='true']",
          submitKeys: ["Mod+Enter"],
          // <div role="button">Posting | Post</div>.
          submit: [{ selector: "[role='button'], button", labels: ["Posting", "Post"] }],
        },
      },
      page: {
        replyLabels: ["Balas ke", "Reply to"],
        // A profile page (/@handle): the full name in <h1>.
        profileName: "h1",
        reservedPaths: ["search", "activity", "settings", "login", "intent"],
      },
    },

    extract(postEl, table) {
      const x = Netral.extract;
      const sel = table.post;
      const own = (selector) => x.own(postEl, sel.container, selector);
      const authorLink = own(sel.author)[0];
      const text = own(sel.text).filter((el) => !el.closest("a")).map((el) => x.text(el)).join("\n");
      return {
        author_handle: x.handleFromHref(authorLink?.getAttribute("href"), table.page.reservedPaths),
        author_name: null,
        text,
        hashtags: x.postHashtags(own(sel.hashtag), text),
        mentions: x.unique(x.mentions(text)),
        url: x.absolute(own(sel.permalink)[0]?.getAttribute("href")),
      };
    },

    // A reply composer replies to the post whose reply icon was pressed; any other composer writes a new post
    // (a quote's own text is a new post; the quote itself was held as a share).
    composerContext(textbox, table) {
      const label = (textbox.getAttribute("aria-label") ?? "").toLowerCase();
      const isReply = table.page.replyLabels.some((l) => label.startsWith(l.toLowerCase()));
      if (!isReply) return { action: "post", postEl: null };
      const postEl = textbox.closest(table.post.container)
        ?? Netral.engine.lastActionPost("comment") ?? Netral.engine.lastPost;
      return { action: "comment", postEl };
    },

    // Follow outside a post is about the profile on screen.
    contextFor(control, rule, table) {
      if (rule.action !== "follow" || control.closest(table.post.container)) return null;
      const name = document.querySelector(table.page.profileName);
      return {
        post: {
          author_handle: Netral.extract.handleFromHref(location.href, table.page.reservedPaths),
          author_name: name ? Netral.extract.text(name) : null,
          url: location.href,
        },
      };
    },
  });
})();
