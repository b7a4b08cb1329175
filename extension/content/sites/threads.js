// Threads (threads.net, threads.com): which controls are actions, and how to read a post. Each entry cites its
// source (audit ../shared/research/site-markup-sources-2026.md §6; confidence per row in docs/sites/threads.md):
// SAFA = IsaiahDupree/Safari_Automations docs/selectors/THREADS_SELECTORS_REFERENCE.md 2df6eec (2026-01-31),
// packages/selectors/src/platforms/threads/index.ts a6efec8 (2026-01-30), threads-auto-commenter.ts 8000ee3
// (2026-03-05); SHE = shinigami-eyes/shinigami-eyes extension/content.ts 07d8c4f (2024-10-11). No source has any
// Indonesian label: the Indonesian ones are kept from before the audit.
"use strict";

(() => {
  // Action-bar controls are <div role="button"> around <svg aria-label="Like" role="img"> (SAFA likeButton fallback
  // 'div[role="button"]:has(svg[aria-label="Like"])'; doc "Click SVG Button Pattern" svg.closest('[role="button"]')).
  const icon = (...labels) => labels.map((label) => `[role='button']:has(svg[aria-label='${label}'])`).join(", ");
  // The inline reply box under a post sends with a second "Reply" icon button (SAFA doc "Known Issues 2. Double
  // Reply buttons - First is action button, second is submit"; auto-commenter "Strategy 2: Second Reply button",
  // "Strategy 3 … circular post button near composer": right of the textbox, same row). That row holds the textbox
  // and no post, so a Reply icon in such a row is the composer's send, never the post's reply control.
  const composerRow = ":not([data-pressable-container='true']):has([role='textbox'][contenteditable='true'])" +
    ":not(:has([data-pressable-container='true']))";
  const replyIcons = ["Balas", "Reply"];
  const inlineSend = replyIcons.map((label) => `${composerRow} [role='button']:has(svg[aria-label='${label}'])`).join(", ");

  Netral.defineSite({
    platform: "threads",
    table: {
      post: {
        // Each post of a feed, a thread and its replies: <div data-pressable-container="true"> (SAFA feedPost; SHE
        // l.796). Containers nest (a quoted post inside a post): SHE takes the outermost, and so does postFor().
        container: "[data-pressable-container='true']",
        // The header's username link <a href="/@prabowo" role="link"><span>prabowo</span></a> (SAFA authorUsername
        // 'a[href^="/@"] span').
        author: "a[href^='/@']:not([href*='/post/'])",
        // The text: <span dir="auto"> blocks under the header (SAFA "Text Content [dir="auto"] span", auto-commenter
        // span[dir="auto"]); the username link's own spans excluded.
        text: "div > span[dir='auto']",
        // Topic tags and hashtags link to the search: <a href="/search?q=%23…&serp_type=tags"> (no source).
        hashtag: "a[href*='serp_type=tags'], a[href^='/search?q=%23']",
        // The timestamp <a href="/@user/post/<code>"><time datetime="…"></a> (SAFA "Post Link a[href*="/post/"]",
        // timestamp 'time[datetime]').
        permalink: "a[href*='/post/']",
      },
      controls: {
        // SAFA likeButton 'svg[aria-label="Like"]'; once liked "Unlike" (SAFA unlikeButton), not held.
        like: [{ selector: icon("Suka", "Like") }],
        // "Reply" opens the reply composer (SAFA replyButton 'svg[aria-label="Reply"]'); not the inline box's send.
        comment: [{ selector: replyIcons.map((label) => `[role='button']:has(svg[aria-label='${label}'])` +
          `:not(${composerRow} *)`).join(", ") }],
        share: [
          // SAFA "Repost svg[aria-label="Repost"]", "Share svg[aria-label="Share"]" (✅ Working). The icons open a
          // menu ("Posting ulang" | "Repost", "Kutip" | "Quote"; "Salin tautan" | "Copy link", …): no source.
          { selector: icon("Posting ulang", "Repost", "Bagikan", "Share") },
          // The menu items (in a layer outside the post) are held too when reached without the icon. No source for
          // the menu's roles or labels (audit §6 row 12): kept from before the audit.
          { selector: "[role='button'], [role='menuitem']", within: "[role='menu'], [role='dialog']", scope: "last",
            labels: ["Posting ulang", "Repost", "Kutip", "Quote", "Salin tautan", "Copy link", "Bagikan melalui*", "Share via*"] },
        ],
        // "Ikuti" | "Follow" on profiles and hover cards; the "+" on a feed avatar is aria-label "Ikuti" | "Follow"
        // (no source: audit §6 row 13).
        follow: [{ selector: "[role='button'], button", labels: ["Ikuti", "Follow", "Ikuti balik", "Follow back"] }],
      },
      composers: {
        thread: {
          // The composer dialog: <div contenteditable="true" role="textbox" aria-label="Balas ke prabowo…" |
          // "Reply to prabowo…" | "Mulai utas…" | "Start a thread…"> (Lexical), also inline under a post page
          // (SAFA replyInput 'div[contenteditable="true"][role="textbox"]'; the aria-labels have no source).
          textbox: "[role='textbox'][contenteditable='true']",
          // Cmd+Return is only an automation script's fallback (IsaiahDupree/MediaPoster, date unknown).
          submitKeys: ["Mod+Enter"],
          submit: [
            // <div role="button">Post</div> (SAFA "Method 2: Post button … text === 'Post'"; "Posting": no source).
            { selector: "[role='button'], button", labels: ["Posting", "Post"] },
            // The inline reply box's second "Reply" icon (see inlineSend above).
            { selector: inlineSend },
          ],
        },
      },
      page: {
        replyLabels: ["Balas ke", "Reply to"],
        // A profile page (/@handle): the full name in <h1> (no source: audit §6 row 16).
        profileName: "h1",
        profile: { name: "h1" }, // a follow outside a post: the engine's default, handle from the URL
        reservedPaths: ["search", "activity", "settings", "login", "intent"],
      },
    },

    // A post and the post it quotes (a container nested in it): the quoted author is the original author, and its
    // text is part of what is liked or shared.
    extract(postEl, table) {
      const x = Netral.extract;
      const sel = table.post;
      const read = (el) => {
        const own = (selector) => x.own(el, sel.container, selector);
        return {
          handle: x.handleFromHref(own(sel.author)[0]?.getAttribute("href"), table.page.reservedPaths),
          text: own(sel.text).filter((span) => !span.closest("a")).map((span) => x.text(span)).join("\n"),
          tags: own(sel.hashtag),
          permalink: own(sel.permalink)[0]?.getAttribute("href"),
        };
      };
      const post = read(postEl);
      const inner = postEl.querySelector(sel.container);
      const quoted = inner ? read(inner) : null;
      const text = [post.text, quoted?.text].filter(Boolean).join("\n");
      return {
        author_handle: post.handle,
        author_name: null,
        original_author_handle: quoted?.handle && quoted.handle !== post.handle ? quoted.handle : null,
        text,
        hashtags: x.postHashtags([...post.tags, ...(quoted?.tags ?? [])], text),
        mentions: x.unique(x.mentions(text)),
        url: x.absolute(post.permalink),
      };
    },

    // A reply composer replies to the post whose reply icon was pressed; any other composer writes a new post
    // (a quote's own text is a new post; the quote itself was held as a share).
    composerContext(textbox, table, ctx) {
      const label = (textbox.getAttribute("aria-label") ?? "").toLowerCase();
      const isReply = table.page.replyLabels.some((l) => label.startsWith(l.toLowerCase()));
      if (!isReply) return { action: "post", postEl: null };
      // The inline box of a thread page (/@user/post/<code>) replies to that page's post.
      const focal = [...document.querySelectorAll(table.post.container)]
        .find((el) => el.querySelector(table.post.permalink)?.getAttribute("href") === location.pathname);
      const postEl = textbox.closest(table.post.container) ?? (textbox.closest("[role='dialog']") ? null : focal)
        ?? ctx.lastActionPost("comment") ?? ctx.lastPost;
      return { action: "comment", postEl: postEl && ctx.postOf(postEl) };
    },

  });

})();
