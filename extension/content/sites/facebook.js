// Facebook (www/web/m.facebook.com): which controls are actions, and how to read a post. Markup notes are
// from facebook.com's Comet web client, 2023–2025, in its Indonesian and English interfaces.
"use strict";

(() => {
  const REACTIONS = ["Suka", "Like", "Super", "Love", "Peduli", "Care", "Haha", "Wow", "Sedih", "Sad", "Marah", "Angry"];

  Netral.defineSite({
    platform: "facebook",
    table: {
      post: {
        // Feed posts, posts in groups/pages, and each comment are <div role="article"> (comments nest inside).
        container: "[role='article']",
        // The author's name link in the post header: <h2|h3|h4><span><a href="/prabowo?…">Prabowo Subianto</a>,
        // marked data-ad-rendering-role="profile_name" on newer builds.
        author: "[data-ad-rendering-role='profile_name'] a[href], h2 a[href], h3 a[href], h4 a[href], strong a[href]",
        // <div data-ad-preview="message"> / data-ad-comet-preview="message" holds the post text; comments put
        // their text in <div dir="auto">.
        text: "[data-ad-preview='message'], [data-ad-comet-preview='message'], [data-ad-rendering-role='story_message']",
        commentText: "div[dir='auto']",
        // Hashtags link to /hashtag/<tag>.
        hashtag: "a[href*='/hashtag/']",
        // The timestamp link is the permalink.
        permalink: "a[href*='/posts/'], a[href*='/permalink/'], a[href*='story_fbid='], a[href*='/videos/'], a[href*='/reel/']",
        // A shared post shows the original inside the sharer's article, in its own attachment block.
        attachedStory: "[data-ad-rendering-role='attached_story'], [data-ad-comet-preview='attached_story']",
      },
      controls: {
        like: [
          // The action bar's <div role="button" aria-label="Suka" | "Like">; once liked "Hapus Suka" | "Remove Like".
          { selector: "[role='button'], button", labels: ["Suka", "Like"] },
          // Hovering it opens the reactions dock (a layer outside the post):
          // <div role="dialog"|"toolbar" aria-label="Reaksi"|"Reactions"> with <div role="button" aria-label="Super">…
          { selector: "[role='button'], button", labels: REACTIONS,
            within: "[aria-label='Reaksi'], [aria-label='Reactions']", scope: "last" },
        ],
        share: [
          // The share button (aria-label "Kirim ini ke teman atau posting di profil Anda." | "Send this to friends or
          // post it on your profile.") opens <div role="dialog"> whose publishing steps are these buttons:
          // "Bagikan sekarang (Publik)" | "Share now (Public)", the "Bagikan ke Kabar" composer's "Bagikan" | "Share"
          // / "Posting" | "Post", "Kirim" | "Send" (Messenger, groups) and "Salin tautan" | "Copy link".
          {
            selector: "[role='button'], button", within: "[role='dialog']", scope: "last",
            labels: ["Bagikan sekarang*", "Share now*", "Bagikan", "Share", "Posting", "Post", "Kirim", "Send",
              "Salin tautan", "Copy link"],
          },
        ],
        follow: [
          // "Ikuti" | "Follow" on pages, profiles and post headers; "Gabung ke grup" | "Join group" on groups.
          { selector: "[role='button'], button", labels: ["Ikuti", "Follow", "Gabung ke grup", "Join group", "Gabung", "Join"] },
        ],
      },
      composers: {
        comment: {
          // <div contenteditable="true" role="textbox" aria-label="Tulis komentar…" | "Write a comment…"> (Lexical);
          // replies use "Tulis balasan…" | "Write a reply…", and "Komentari sebagai …" | "Comment as …".
          textbox: ["Tulis komentar", "Write a comment", "Komentari sebagai", "Comment as", "Tulis balasan", "Write a reply",
            "Balas ke", "Reply to"].map((label) => `[role='textbox'][contenteditable='true'][aria-label^='${label}']`).join(", "),
          // Enter sends, Shift+Enter is a new line.
          submitKeys: ["Enter"],
          // The send arrow: <div role="button" aria-label="Kirim komentar" | "Comment" | "Post comment">.
          submit: [{ selector: "[role='button'], button", labels: ["Kirim komentar", "Komentar", "Comment", "Post comment", "Kirim", "Send"] }],
        },
      },
      page: {
        // On a page, profile or group, its name is the page's <h1>.
        title: "[role='main'] h1, h1",
        reservedPaths: ["watch", "groups", "events", "marketplace", "gaming", "profile.php", "permalink.php", "story.php",
          "hashtag", "photo", "photo.php", "share", "sharer.php", "reel", "stories", "search", "login", "home.php"],
      },
    },

    extract(article, table) {
      const x = Netral.extract;
      const sel = table.post;
      const own = (selector) => x.own(article, sel.container, selector);
      // Comments have no header: their first link is the commenter.
      const authorLink = own(sel.author).find((a) => a.textContent.trim()) ?? own("a[href]")[0];
      const attached = article.querySelector(sel.attachedStory);
      const originalLink = attached?.querySelector(sel.author);
      const textEl = own(sel.text)[0] ?? own(sel.commentText)[0];
      const text = x.text(textEl);
      const mentions = textEl ? [...textEl.querySelectorAll("a[href]")]
        .filter((a) => !a.matches(sel.hashtag))
        .map((a) => x.handleFromHref(a.getAttribute("href"), table.page.reservedPaths)) : [];
      return {
        author_handle: x.handleFromHref(authorLink?.getAttribute("href"), table.page.reservedPaths),
        author_name: authorLink ? x.text(authorLink) : null,
        original_author_handle: x.handleFromHref(originalLink?.getAttribute("href"), table.page.reservedPaths),
        text: [text, attached ? x.text(attached.querySelector(sel.text)) : ""].filter(Boolean).join("\n"),
        hashtags: x.postHashtags(own(sel.hashtag), text),
        mentions: x.unique([...mentions, ...x.mentions(text)]),
        url: x.absolute(own(sel.permalink)[0]?.getAttribute("href")),
      };
    },

    // Follow / join outside a post is about the page, profile or group on screen.
    contextFor(control, rule, table) {
      if (rule.action !== "follow" || control.closest(table.post.container)) return null;
      const title = document.querySelector(table.page.title);
      return {
        post: {
          author_handle: Netral.extract.handleFromHref(location.href, table.page.reservedPaths),
          author_name: title ? Netral.extract.text(title) : null,
          url: location.href,
        },
      };
    },
  });
})();
