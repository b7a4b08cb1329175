// X (x.com, twitter.com): which controls are actions, and how to read a post. Markup notes are from x.com's
// web client (React Native for Web), 2024–2025, in its English and Indonesian interfaces.
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
      },
      controls: {
        // <button data-testid="like" aria-label="1.2K Likes. Like" | "… Suka">; once liked it is "unlike" (not held).
        like: [{ selector: "[data-testid='like']" }],
        // <button data-testid="reply" aria-label="35 Replies. Reply" | "… Balas"> opens the reply composer.
        comment: [{ selector: "[data-testid='reply']" }],
        share: [
          // The retweet button opens <div role="menu"> in #layers, outside the post:
          // <div role="menuitem" data-testid="retweetConfirm">Repost | Posting ulang</div>
          { selector: "[data-testid='retweetConfirm']", scope: "last" },
          // … and <a role="menuitem" href="/compose/post">Quote | Kutip</a> in the same menu.
          { labels: ["Quote", "Kutip"], within: "[role='menu']", scope: "last" },
          // The share button (aria-label "Share post" | "Bagikan postingan") opens a role=menu with these items.
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
      // X's keyboard shortcuts act on the focused post (j/k move the focus): l like, t repost, r reply.
      shortcuts: { l: "like", t: "share", r: "comment" },
      composers: {
        tweet: {
          // Draft.js editor <div contenteditable="true" role="textbox" data-testid="tweetTextarea_0"> in the reply
          // dialog, the inline reply box of a post page, and the home "What is happening?!" box.
          textbox: "[data-testid^='tweetTextarea_'][contenteditable='true'], [data-testid^='tweetTextarea_'] [contenteditable='true']",
          submitKeys: ["Mod+Enter"],
          // <button data-testid="tweetButton"> in dialogs, "tweetButtonInline" inline; label Reply|Balas or Post|Posting.
          submit: [{ selector: "[data-testid='tweetButton'], [data-testid='tweetButtonInline']" }],
        },
      },
      page: {
        // Profile header name block on x.com/<handle>, and the user cells of follow lists.
        profileName: "[data-testid='UserName']",
        userCell: "[data-testid='UserCell']",
        sendButton: "[data-testid='tweetButton'], [data-testid='tweetButtonInline']",
        replyLabels: ["Reply", "Balas", "Reply all", "Balas semua"],
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

    composerContext(textbox, table) {
      const scope = textbox.closest("[role='dialog']") ?? textbox.closest("main") ?? document;
      const send = scope.querySelector(table.page.sendButton);
      const label = (send?.getAttribute("aria-label") || send?.textContent || "").trim().toLowerCase();
      const isReply = table.page.replyLabels.some((l) => l.toLowerCase() === label);
      if (!isReply) return { action: "post", postEl: null };
      const inDialog = textbox.closest("[role='dialog']")?.querySelector(table.post.container);
      const focal = [...document.querySelectorAll(table.post.container)]
        .find((a) => a.querySelector(table.post.permalink)?.getAttribute("href") === location.pathname);
      const postEl = inDialog ?? Netral.engine.lastActionPost("comment") ?? focal ?? Netral.engine.lastPost;
      return { action: "comment", postEl };
    },
  });

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
