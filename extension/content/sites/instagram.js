// Instagram (www.instagram.com): which controls are actions, and how to read a post. Markup notes are from
// instagram.com's web client (React, atomic class names), 2023–2025, in its Indonesian and English interfaces.
"use strict";

(() => {
  // The action bar's controls are <div role="button"> (older builds: <button>) around an icon
  // <svg aria-label="Suka" | "Like"><title>Suka</title>…</svg>; the label flips once done ("Batal Suka" | "Unlike").
  const icon = (...labels) => labels
    .flatMap((label) => [`[role='button']:has(svg[aria-label='${label}'])`, `button:has(svg[aria-label='${label}'])`])
    .join(", ");

  Netral.defineSite({
    platform: "instagram",
    table: {
      post: {
        // Home feed posts are <article>; a post opened from a grid is a <div role="dialog"> (modal) around the
        // same header, media, action bar and comment form, with its timestamp link to /p/<code>/.
        container: "article, div[role='dialog']:has(a[href*='/p/'] time, a[href*='/reel/'] time)",
        // The author's username link in the post header: <a href="/prabowo/" role="link"><span>prabowo</span></a>.
        author: "header a[href][role='link'], header a[href]",
        // The caption: <h1 dir="auto"> (post pages) or <span class="_ap3a … _aacu" dir="auto"> (feed) after the
        // username; hashtags inside it are <a href="/explore/tags/<tag>/">#tag</a>.
        caption: "h1[dir='auto'], span._ap3a[dir='auto'], div._a9zs span",
        hashtag: "a[href*='/explore/tags/']",
        // The timestamp <a href="/p/<code>/"><time datetime="…"></a> is the permalink.
        permalink: "a[href*='/p/']:has(time), a[href*='/reel/']:has(time), a[href*='/p/'], a[href*='/reel/']",
      },
      controls: {
        like: [
          { selector: icon("Suka", "Like") },
          // A double-click on the photo or video likes it: the target is the media overlay <div class="_aagw">
          // over <div class="_aagv"><img style="object-fit: cover"></div>, or the <video> of a reel.
          { selector: "div._aagw, div._aagv, article img, article video, [role='dialog'] video", on: "dblclick" },
        ],
        // The comment icon opens the post (modal) with its comment box focused.
        comment: [{ selector: icon("Komentari", "Comment") }],
        share: [
          // The paper-plane icon <svg aria-label="Bagikan" | "Share"> ("Bagikan Postingan" | "Share Post" on older
          // builds) opens the share dialog…
          { selector: icon("Bagikan", "Share", "Bagikan Postingan", "Share Post") },
          // … a <div role="dialog"> with a recipient search <input name="queryBox"> whose publishing steps are
          // "Kirim" | "Send", "Salin tautan" | "Copy link" and "Tambahkan ke cerita" | "Add to story".
          {
            selector: "[role='button'], button", within: "[role='dialog']:has(input[name='queryBox'])", scope: "last",
            labels: ["Kirim", "Send", "Kirim terpisah", "Send separately", "Salin tautan", "Copy link",
              "Tambahkan ke cerita*", "Add to story*", "Tambahkan postingan ke cerita*", "Add post to your story*"],
          },
        ],
        // "Ikuti" | "Follow" in post headers (a <div role="button">) and on profiles (a <button>); once followed it
        // reads "Mengikuti" | "Following" (not held).
        follow: [{ selector: "[role='button'], button", labels: ["Ikuti", "Follow", "Ikuti Balik", "Follow Back"] }],
      },
      composers: {
        comment: {
          // <form method="POST"><textarea aria-label="Tambahkan komentar…" | "Add a comment…"> under each post.
          textbox: "textarea[aria-label^='Tambahkan komentar'], textarea[aria-label^='Add a comment'], " +
            "textarea[placeholder^='Tambahkan komentar'], textarea[placeholder^='Add a comment']",
          // Enter sends, Shift+Enter is a new line.
          submitKeys: ["Enter"],
          // <div role="button" tabindex="0">Kirim</div> | "Post" next to the textarea.
          submit: [{ selector: "[role='button'], button", labels: ["Kirim", "Post", "Posting"] }],
        },
      },
      page: {
        // A profile page (instagram.com/<username>/): <header><section><h2>username</h2>…<span>Full Name</span>.
        profileHeader: "main header section, main header",
        profileUsername: "h2, h1",
        profileName: "span[dir='auto'], h1",
        reservedPaths: ["p", "reel", "reels", "explore", "stories", "direct", "accounts", "tv", "about", "legal"],
      },
    },

    extract(postEl, table) {
      const x = Netral.extract;
      const sel = table.post;
      const own = (selector) => x.own(postEl, sel.container, selector);
      const authorLink = own(sel.author).find((a) => a.textContent.trim()) ?? own(sel.author)[0];
      const captionEl = own(sel.caption)[0];
      const text = x.text(captionEl);
      return {
        author_handle: x.handleFromHref(authorLink?.getAttribute("href"), table.page.reservedPaths),
        author_name: null,
        text,
        hashtags: x.postHashtags(own(sel.hashtag), text),
        mentions: x.unique(x.mentions(text)),
        url: x.absolute(own(sel.permalink)[0]?.getAttribute("href")),
      };
    },

    // Follow on a profile page is about the profile on screen, not a post.
    contextFor(control, rule, table) {
      if (rule.action !== "follow" || control.closest(table.post.container)) return null;
      const header = control.closest(table.page.profileHeader) ?? document.querySelector(table.page.profileHeader);
      const handle = Netral.extract.handleFromHref(location.href, table.page.reservedPaths);
      const names = header ? [...header.querySelectorAll(table.page.profileName)].map((el) => Netral.extract.text(el)) : [];
      return {
        post: {
          author_handle: handle,
          author_name: names.find((name) => name && name.toLowerCase() !== handle?.toLowerCase()) ?? null,
          url: location.href,
        },
      };
    },
  });
})();
