// X (x.com, twitter.com): which controls are actions, and how to read a post. Each entry cites its source
// (audit ../shared/research/site-markup-sources-2026.md §1; confidence per row in docs/sites/x.md):
// CPFT = insin/control-panel-for-twitter script.js 0962235 (2026-08-17), OCLI = jackwener/OpenCLI clis/twitter/*.js.
"use strict";

(() => {
  Netral.defineSite({
    platform: "x",
    table: {
      post: {
        // <article data-testid="tweet" role="article" tabindex="0"> wraps each post in timelines, threads, search.
        container: "article[data-testid='tweet']",
        // <div data-testid="User-Name"> holds the display-name link and the "@handle" link of the author
        // (a quoted post inside the article has its own).
        userName: "[data-testid='User-Name']",
        // <div data-testid="tweetText" lang="in">: the text; hashtags as <a href="/hashtag/…">, mentions <a href="/x">.
        text: "[data-testid='tweetText']",
        // <a href="/relawanjaya"><span data-testid="socialContext">Relawan Jaya reposted | memposting ulang</span></a>
        socialContext: "[data-testid='socialContext']",
        repostedSuffixes: ["reposted", "memposting ulang", "retweeted", "me-retweet"],
        // The permalink is the <a href="/handle/status/123"> that wraps the post's <time>.
        permalink: "a[href*='/status/']:has(time)",
        // The action bar <div role="group" aria-label="3 replies, 5 reposts, 12 likes"> (CPFT l.4379, the focused
        // post's; timeline posts' by analogy, no source): a like rewrites its labels, which extract() never reads.
        volatile: "[role='group']",
      },
      controls: {
        // <button data-testid="like" aria-label="1.2K Likes. Like" | "… Suka">; once liked it is "unlike" (not held).
        like: [{ selector: "[data-testid='like']" }],
        // <button data-testid="reply" aria-label="35 Replies. Reply" | "… Balas"> opens the reply composer.
        comment: [{ selector: "[data-testid='reply']" }],
        share: [
          // The retweet button opens #layers [data-testid="Dropdown"] (desktop) or [data-testid="sheetDialog"]
          // (mobile) outside the post; its repost item is "retweetConfirm" or, in newer builds, "repostConfirm"
          // (CPFT l.5830, both since 1c302d3 2023-08-19; OCLI retweet.js l.64 2026-05-08). Its undo items
          // "unretweetConfirm" / "unrepostConfirm" (CPFT l.5836) withdraw a repost, so like "unlike" they are not held.
          { selector: "[data-testid='retweetConfirm'], [data-testid='repostConfirm']", scope: "last" },
          // The Quote item is the repost item's next sibling (CPFT l.7942 `$dropdownItem.nextElementSibling`), so it
          // is found by position, whatever its text in the user's language (no source for the Indonesian item).
          {
            selector: ":is([data-testid='retweetConfirm'], [data-testid='repostConfirm'], [data-testid='unretweetConfirm'], " +
              "[data-testid='unrepostConfirm']) + [role='menuitem']",
            within: "[data-testid='Dropdown'], [data-testid='sheetDialog'], [role='menu']", scope: "last",
          },
          // The same item by its label, should the order change: "Quote" (CPFT en QUOTE), "Kutip" (no source);
          // "Quote Tweet" / "Kutip Tweet" is the text CPFT itself writes into the item (CPFT QUOTE_TWEET, l.7943).
          // CPFT's "Kutipan" is X's hidden label of a quoted post (l.5654), not a menu item: not listed here.
          { labels: ["Quote", "Kutip", "Quote Tweet", "Kutip Tweet"], within: "[role='menu']", scope: "last" },
          // The share button (aria-label "Share post" | "Bagikan postingan") opens a role=menu with these items.
          // No source for these labels in either language (audit §1 row 12, §9): kept from before the audit.
          {
            within: "[role='menu']", scope: "last",
            labels: ["Copy link*", "Salin tautan*", "Share post via*", "Bagikan postingan melalui*", "Share via*",
              "Bagikan melalui*", "Send via Direct Message", "Kirim melalui Pesan Langsung", "Kirim via Pesan Langsung"],
          },
        ],
        // <button data-testid="1234567-follow" aria-label="Follow @prabowo" | "Ikuti @prabowo"> on profiles,
        // "Who to follow" user cells and hover cards; "-unfollow" once followed (not held).
        follow: [{ selector: "[data-testid$='-follow']" }],
      },
      // X's keyboard shortcuts act on the focused post (j/k move the focus): l like, t repost, r reply (U-X1
      // 2026-06-08; X renders them in div[data-at-shortcutkeys], CPFT l.4796). The legacy "f" like alias is not
      // held: one unattributed note rates it LOW, and a key that likes nothing would raise false warnings.
      shortcuts: { l: "like", t: "share", r: "comment" },
      composers: {
        tweet: {
          // Draft.js editor <div contenteditable="true" role="textbox" data-testid="tweetTextarea_0"> in the reply
          // dialog, the inline reply box of a post page, and the home "What is happening?!" box (CPFT
          // `data-testid^="tweetTextarea"`; OCLI reply.js/quote.js 2026-05/08). Small layouts may render it as a
          // <textarea data-testid="tweetTextarea_0"> (unattributed userscript 17965678775, 2023, "// mobile").
          textbox: "[data-testid^='tweetTextarea_'][contenteditable='true'], [data-testid^='tweetTextarea_'] [contenteditable='true'], " +
            "textarea[data-testid^='tweetTextarea_']",
          submitKeys: ["Mod+Enter"],
          // <button data-testid="tweetButton"> in dialogs, "tweetButtonInline" inline (OCLI reply.js l.128, CPFT
          // l.3080); label Reply|Balas or Post|Posting (no source for the Indonesian text: audit §1 row 20).
          submit: [{ selector: "[data-testid='tweetButton'], [data-testid='tweetButtonInline']" }],
        },
      },
      page: {
        // Profile header name block on x.com/<handle> (no source: audit §1 row 19), and the user cells of follow
        // lists and hover cards (CPFT l.4809 `[data-testid="HoverCard"] button[data-testid="UserCell"]`).
        profileName: "[data-testid='UserName']",
        userCell: "[data-testid='UserCell']",
        sendButton: "[data-testid='tweetButton'], [data-testid='tweetButtonInline']",
        replyLabels: ["Reply", "Balas", "Reply all", "Balas semua"],
        // A quote or reply composed through a URL never passes the menu or the reply button (OCLI quote.js l.142
        // /compose/post?url=<post>, reply.js l.23 /compose/post?in_reply_to=<id>).
        composePath: "/compose/post",
        reservedPaths: ["home", "explore", "notifications", "messages", "i", "settings", "search", "hashtag", "compose",
          "intent", "login", "logout", "jobs", "communities", "lists", "bookmarks", "premium"],
      },
    },

    extract(article, table) {
      const x = Netral.extract;
      const sel = table.post;
      const names = article.querySelectorAll(sel.userName);
      const author = readUser(names[0], table);
      const quoted = names.length > 1 ? readUser(names[names.length - 1], table) : null;
      const texts = [...article.querySelectorAll(sel.text)];
      const text = texts.map((el) => x.text(el)).join("\n");
      const linkTexts = texts.flatMap((el) => [...el.querySelectorAll("a")].map((a) => a.textContent.trim()));
      const post = {
        author_handle: author.handle,
        author_name: author.name,
        original_author_handle: quoted?.handle && quoted.handle !== author.handle ? quoted.handle : null,
        text,
        hashtags: x.unique([...linkTexts.filter((t) => t.startsWith("#")).map((t) => t.slice(1)), ...x.hashtags(text)]),
        mentions: x.unique([...linkTexts.filter((t) => t.startsWith("@")).map((t) => t.slice(1)), ...x.mentions(text)]),
        url: x.absolute(article.querySelector(sel.permalink)?.getAttribute("href")),
      };
      // A repost: the social context names the reposter; the post itself is the original author's.
      const context = article.querySelector(sel.socialContext);
      const contextText = context ? x.text(context) : "";
      if (context && sel.repostedSuffixes.some((s) => contextText.toLowerCase().endsWith(s))) {
        const link = context.closest("a[href]");
        post.original_author_handle = post.author_handle;
        post.author_handle = x.handleFromHref(link?.getAttribute("href"), table.page.reservedPaths);
        const suffix = sel.repostedSuffixes.find((s) => contextText.toLowerCase().endsWith(s));
        post.author_name = contextText.slice(0, contextText.length - suffix.length).trim() || null;
      }
      return post;
    },

    contextFor(control, rule, table) {
      if (rule.action !== "follow") return null;
      const x = Netral.extract;
      const label = control.getAttribute("aria-label") ?? "";
      const cell = control.closest(table.page.userCell);
      const block = cell?.querySelector(table.post.userName) ?? document.querySelector(table.page.profileName);
      const user = readUser(block, table);
      const handle = label.match(/@([A-Za-z0-9_]{1,15})/)?.[1] ?? user.handle
        ?? x.handleFromHref(location.pathname, table.page.reservedPaths);
      return { post: { author_handle: handle, author_name: user.name, url: location.href } };
    },

    composerContext(textbox, table, ctx) {
      const composed = composedByUrl(table);
      if (composed) return composed;
      const scope = textbox.closest("[role='dialog']") ?? textbox.closest("main") ?? document;
      const send = scope.querySelector(table.page.sendButton);
      const label = (send?.getAttribute("aria-label") || send?.textContent || "").trim().toLowerCase();
      const isReply = table.page.replyLabels.some((l) => l.toLowerCase() === label);
      if (!isReply) return { action: "post", postEl: null };
      const inDialog = textbox.closest("[role='dialog']")?.querySelector(table.post.container);
      const focal = [...document.querySelectorAll(table.post.container)]
        .find((a) => a.querySelector(table.post.permalink)?.getAttribute("href") === location.pathname);
      const postEl = inDialog ?? ctx.lastActionPost("comment") ?? focal ?? ctx.lastPost;
      return { action: "comment", postEl };
    },
  });

  /**
   * A composer opened at /compose/post?url=<post> (a quote: a share of that post) or ?in_reply_to=<id> (a reply),
   * when that post is on the page (X keeps the timeline under the dialog); else null.
   */
  function composedByUrl(table) {
    if (location.pathname !== table.page.composePath) return null;
    const params = new URLSearchParams(location.search);
    const quoted = params.get("url");
    const replyTo = params.get("in_reply_to");
    let status = null;
    try { status = quoted ? new URL(quoted, location.href).pathname : null; } catch { return null; }
    const wanted = status ? (href) => href === status : replyTo ? (href) => href?.endsWith(`/status/${replyTo}`) : null;
    if (!wanted) return null;
    const postEl = [...document.querySelectorAll(table.post.container)]
      .find((a) => wanted(a.querySelector(table.post.permalink)?.getAttribute("href")));
    return postEl ? { action: status ? "share" : "comment", postEl } : null;
  }

  /** Display name and handle from a User-Name / UserName block: the "@handle" text, else the profile link. */
  function readUser(block, table) {
    if (!block) return { handle: null, name: null };
    const x = Netral.extract;
    const at = [...block.querySelectorAll("span, a")].map((el) => el.textContent.trim()).find((t) => /^@\w+$/.test(t));
    const handle = at ? at.slice(1)
      : x.handleFromHref(block.querySelector("a[href]")?.getAttribute("href"), table.page.reservedPaths);
    const nameEl = block.querySelector("a[href] span, div[dir] span, span");
    const name = nameEl && !nameEl.textContent.trim().startsWith("@") ? x.text(nameEl) : null;
    return { handle, name };
  }
})();
