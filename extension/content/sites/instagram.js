// Instagram (www.instagram.com): which controls are actions, and how to read a post. Each entry cites the public
// project that reads the same markup (ids of ../shared/research/site-markup-sources-2026.md §0; verdicts in
// docs/sites/instagram.md): the feed, a post opened as its own /p/ page or as a modal, Reels and profile grids.
"use strict";

(() => {
  // The action bar's controls are <div role="button"> (older builds: <button>) around an icon
  // <svg aria-label="Suka" | "Like"><title>Suka</title>…</svg>; the label flips once done ("Batal Suka" | "Unlike").
  // OCLI clis/instagram/_shared/post-like.js (e169cc1, 2026-08-08): svg[aria-label="Like"] → closest('div[role="button"],
  // button'); SAFA INSTAGRAM_SELECTORS_REFERENCE.md (2df6eec, 2026-01-31) the same.
  const icon = (...labels) => labels
    .flatMap((label) => [`[role='button']:has(svg[aria-label='${label}'])`, `button:has(svg[aria-label='${label}'])`])
    .join(", ");
  const svgs = (...labels) => labels.map((label) => `svg[aria-label='${label}']`).join(", ");

  Netral.defineSite({
    platform: "instagram",
    table: {
      post: {
        // Feed posts are <article> (SAFA 2026-01-31 "Post Article | article | ✅ Working"; IGDL instagram-dl.user.js
        // 856a334, 2024-10-20). A post opened from a grid is a <div role="dialog"> (no direct source: plausible).
        // A post opened as its own /p/ page need not be an <article>: IGDL's postGetArticleNode() stops at ARTICLE or
        // MAIN, so a <main> without articles (nor reels, below) around a timestamp link is the post (audit §3 row 3).
        // A reel on /reels/ is the nearest div[class*="x6ikm8r"] around its <video> (PMD websites/I/Instagram/
        // presence.ts 239a48f, 2025-02-12: video.closest('div[class*="x6ikm8r"]')), once it holds the reel's like icon
        // (audit §3 row 4; the action bar's place inside it has no source).
        container: "article, div[role='dialog']:has(a[href*='/p/'] time, a[href*='/reel/'] time), " +
          "main:not(:has(article, div[class*='x6ikm8r'] video)):has(a[href*='/p/'] time, a[href*='/reel/'] time), " +
          "div[class*='x6ikm8r']:has(video):not(:has(div[class*='x6ikm8r'] video))" +
          `:has(${svgs("Suka", "Like", "Batal Suka", "Unlike")})`,
        // The author's username link in the post header (IGDL: articleNode.querySelector('header a')); a reel's
        // author sits in [class*="x1943h6x"] (PMD) inside a profile link.
        author: "header a[href][role='link'], header a[href], a[href]:has([class*='x1943h6x'])",
        // The caption: <h1 dir="auto"> (post pages) or <span class="_ap3a … _aacu" dir="auto"> (feed; PMD reads
        // "_ap3a _aaco _aacw _aacx _aad7 _aade" on a reel page) after the username; hashtags inside it are
        // <a href="/explore/tags/<tag>/">#tag</a>. div._a9zs: an unattributed scraper (37300109899). Plausible.
        caption: "h1[dir='auto'], span._ap3a[dir='auto'], div._a9zs span",
        hashtag: "a[href*='/explore/tags/']",
        // The timestamp <a href="/p/<code>/"><span><time datetime="…"></a> is the permalink (SAFA "Post Link";
        // IGDL fetchVideoURL: time.parentNode.parentNode.href).
        permalink: "a[href*='/p/']:has(time), a[href*='/reel/']:has(time), a[href*='/p/'], a[href*='/reel/']",
        // The post's action bar: the nearest section or div[role=group] around the like icon, with at most 8 labelled
        // icons and a comment or share icon beside it. Comment rows repeat the like label on 16 px icons without
        // those siblings (OCLI post-like.js l.60–70, #2241), so a like outside such a bar is a like of a comment.
        actionBar: "section, div[role='group']",
        barSiblings: svgs("Komentari", "Comment", "Bagikan", "Share"),
        barMaxIcons: 8,
        // A comment row: the nearest element below the post around the like that holds a profile link
        // <a href="/user/"> (SAFA "User Link | a[href^="/"][href$="/"]"); its text is div._a9zr span._ap3a
        // (unattributed 9980322706), i.e. the caption selectors above.
        commentAuthor: "a[href^='/'][href$='/']",
      },
      controls: {
        // One rule for post and comment likes; contextFor() tells them apart by the action bar.
        like: [
          { selector: icon("Suka", "Like") },
          // A double-click on the photo or video of a post likes it: the media overlay <div class="_aagw"> over
          // <div class="_aagv"><img style="object-fit: cover"></div>, or the <video> of a reel. The same _aagw is the
          // thumbnail of a profile or hashtag grid tile, inside its <a href="/p/…"> (U-IG2: scrapers click div._aagw
          // to open the first grid post, 12885051378 reads 'div._aagw a' / 'main a[href*="/p/"]'): media inside a
          // link is a tile, not a post (audit §3 row 10).
          {
            selector: ":is(article, main, [role='dialog']) :is(div._aagw, div._aagv, video):not(a[href] *)",
            on: "dblclick",
          },
        ],
        // The comment icon opens the post (modal) with its comment box focused. OCLI COMMENT_LABELS ['Comment'],
        // SAFA svg[aria-label="Comment"]; "Komentari" only in a clone (26999732137): plausible.
        comment: [{ selector: icon("Komentari", "Comment") }],
        share: [
          // The paper-plane icon <svg aria-label="Share"> (OCLI SHARE_LABELS, SAFA). "Bagikan" has no source
          // (plausible); "Share Post" | "Bagikan Postingan" only in older clones, kept for older builds.
          { selector: icon("Bagikan", "Share", "Bagikan Postingan", "Share Post") },
          // … a <div role="dialog"> with a recipient search <input name="queryBox"> (about 10 unattributed scripts,
          // 52125923521; one tries input[name="searchInput"], 62026945426) whose publishing steps are
          // "Kirim" | "Send", "Salin tautan" | "Copy link" and "Tambahkan ke cerita" | "Add to story". Plausible.
          {
            selector: "[role='button'], button", scope: "last",
            within: "[role='dialog']:has(input[name='queryBox'], input[name='searchInput'])",
            labels: ["Kirim", "Send", "Kirim terpisah", "Send separately", "Salin tautan", "Copy link",
              "Tambahkan ke cerita*", "Add to story*", "Tambahkan postingan ke cerita*", "Add post to your story*"],
          },
        ],
        // "Ikuti" | "Follow" in post headers (a <div role="button">) and on profiles (a <button>); once followed it
        // reads "Mengikuti" | "Following" (not held). No DOM source (OCLI follows through the API): plausible.
        follow: [{ selector: "[role='button'], button", labels: ["Ikuti", "Follow", "Ikuti Balik", "Follow Back"] }],
      },
      composers: {
        comment: {
          // Posts: <form method="POST"><textarea aria-label="Tambahkan komentar…" | "Add a comment…"> (SAFA:
          // textarea[placeholder*="comment" i], textarea[aria-label*="comment" i]). Reels use an <input> and newer
          // posts a contenteditable <div role="textbox" aria-label="Add a comment…"> (U-IG1 52465704269, audit
          // §3 row 16). The Indonesian placeholder has no source beyond our own interface notes.
          textbox: ["textarea", "input", "div[contenteditable][role='textbox']"]
            .flatMap((tag) => ["Tambahkan komentar", "Add a comment"]
              .flatMap((label) => [`${tag}[aria-label^='${label}']`, `${tag}[placeholder^='${label}']`]))
            .join(", "),
          // Enter sends, Shift+Enter is a new line. U-IG1 says Enter does not submit; kept, because a held Enter
          // that sends nothing costs one warning while an unheld Enter that sends would let a comment through
          // unchecked, and a checked ordinary draft is not held at all (audit §3 row 17, rejected).
          submitKeys: ["Enter"],
          // <div role="button" tabindex="0">Post</div> next to the textbox (SAFA: text === 'post'); "Kirim" |
          // "Posting" in Indonesian (no source).
          submit: [{ selector: "[role='button'], button", labels: ["Kirim", "Post", "Posting"] }],
        },
      },
      page: {
        // A profile page (instagram.com/<username>/): <header><section><h2>username</h2>…<span>Full Name</span>
        // (IGDL: 'header section svg circle', document.querySelector('header h2')). Plausible.
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

    contextFor(control, rule, table) {
      if (rule.action === "like" && rule.on !== "dblclick") return commentLike(control, table);
      if (rule.action !== "follow" || control.closest(table.post.container)) return null;
      // Follow on a profile page is about the profile on screen, not a post.
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

  /** A like outside the post's action bar is a like of the comment row around it: that comment is the subject. */
  function commentLike(control, table) {
    const sel = table.post;
    const bar = control.closest(sel.actionBar);
    const inBar = bar && bar.querySelectorAll("svg[aria-label]").length <= sel.barMaxIcons
      && bar.querySelector(sel.barSiblings);
    const postEl = control.closest(sel.container);
    if (inBar || !postEl) return null;
    let row = control.parentElement;
    while (row && row !== postEl && !row.querySelector(sel.commentAuthor)) row = row.parentElement;
    if (!row || row === postEl) return null; // a reel's own bar: the profile link is the reel's
    const x = Netral.extract;
    const text = [...row.querySelectorAll(sel.caption)].filter((el) => !el.closest("a")).map((el) => x.text(el)).join(" ");
    return {
      postEl: row,
      post: {
        author_handle: x.handleFromHref(row.querySelector(sel.commentAuthor).getAttribute("href"), table.page.reservedPaths),
        author_name: null,
        text,
        hashtags: x.postHashtags([...row.querySelectorAll(sel.hashtag)], text),
        mentions: x.unique(x.mentions(text)),
        url: x.absolute(x.own(postEl, sel.container, sel.permalink)[0]?.getAttribute("href")),
      },
    };
  }
})();
