// Any other page (platform "other"), only when policy's enabledPlatforms lists "other": the service worker then
// registers this script for every page the built-in sites do not cover. It holds buttons whose accessible name
// says like / share / comment, in the page's Indonesian or English, inside an article-like container.
"use strict";

(() => {
  // Article-like containers: <article> (HTML5 blogs, news, forums), role="article" (feeds), and the classic
  // microformat / WordPress classes.
  const ARTICLE = "article, [role='article'], .hentry, .h-entry, .post, .entry";
  const BUTTONS = "button, [role='button'], a[role='button'], input[type='button'], input[type='submit']";

  Netral.defineSite({
    platform: "other",
    table: {
      post: {
        container: ARTICLE,
        // Author: rel="author" links, schema.org itemprop="author", the microformat p-author / WordPress .author.
        author: "[rel='author'], [itemprop='author'], .p-author, .author, .byline",
        // Title and text: the first heading and the paragraphs.
        title: "h1, h2, h3, .entry-title, .p-name",
        text: "p, .entry-content, .e-content, [itemprop='articleBody']",
        hashtag: "a[rel='tag'], a[href*='/tag/'], a[href*='/hashtag/']",
        permalink: "a[rel='bookmark'], .u-url, h1 a[href], h2 a[href], h3 a[href]",
      },
      controls: {
        like: [{ selector: BUTTONS, within: ARTICLE, labels: ["Suka", "Sukai*", "Like", "Like this*", "Likes*", "Suka ini*"] }],
        share: [{ selector: BUTTONS, within: ARTICLE, labels: ["Bagikan*", "Share*", "Teruskan", "Forward"] }],
        comment: [{ selector: BUTTONS, within: ARTICLE, labels: ["Komentar*", "Komentari*", "Comment*", "Balas", "Reply"] }],
      },
      page: { reservedPaths: [] },
    },

    extract(postEl, table) {
      const x = Netral.extract;
      const sel = table.post;
      const first = (selector) => postEl.querySelector(selector);
      const title = x.text(first(sel.title));
      const body = [...postEl.querySelectorAll(sel.text)].slice(0, 20).map((el) => x.text(el)).join("\n");
      const text = [title, body].filter(Boolean).join("\n").slice(0, 4000);
      return {
        author_name: x.text(first(sel.author)) || null,
        text,
        hashtags: x.postHashtags([...postEl.querySelectorAll(sel.hashtag)], text),
        mentions: x.unique(x.mentions(text)),
        url: x.absolute(first(sel.permalink)?.getAttribute("href")) ?? location.href,
      };
    },
  });
})();
