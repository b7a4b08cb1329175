// Facebook (www/web/m.facebook.com): which controls are actions, and how to read a post. Selectors follow the
// 2026 Comet client as public projects read it; every entry names its source, and docs/sites/facebook.md grades
// each one (confirmed / plausible / no source) and lists the audit rows rejected.
// Sources: OCLI = jackwener/OpenCLI clis/facebook/*.js @a80e5a3 (2026-07-30) and issue #2089 (2026-07-05);
// U-FB1 = archive file 70560124092 "selectors verified from live DOM dump 2026-08-07" (Indonesian UI);
// U-FB3 = 56331852343 (copied live like button); U-FB4 = 59579360548 (data-ad-rendering-role post markers);
// U-FB5 = 61470652825, 55624496371, 61897859707, 61387187642, 54488262760 (share picker items);
// FBCMF = Artificial-Sweetener/facebook-clean-my-feeds src/selectors/news.js @0eb5850 (2026-01-17).
"use strict";

(() => {
  // U-FB1 reactionsList (Suka, Super, Peduli, Haha, Wow); the others and the English names have no source.
  const REACTIONS = ["Suka", "Like", "Super", "Love", "Peduli", "Care", "Haha", "Wow", "Sedih", "Sad", "Marah", "Angry"];
  // A feed post's ⋯ menu, one per post: "Actions for this post" (OCLI feed.js actionMenuAnchors), "Tindakan untuk
  // postingan oleh … ini" (U-FB1 isFbPostMenu). Comment menus ("Tindakan untuk komentar …") do not match.
  const MENU = ":is([aria-label^='Actions for this post' i], [aria-label^='Tindakan untuk postingan' i])";
  // Never a post: what holds a landmark or a layer (the page's root and the layer root are siblings with menus in them).
  const REGIONS = ":has([role='main'], [role='feed'], [role='dialog'], [role='banner'], [role='navigation'])";
  // The liked state of the like button (U-FB1 fbIsAlreadyLiked): un-liking is not an action to hold.
  const LIKED = ["Hapus Suka", "Batalkan suka", "Ubah tanggapan", "Remove Like", "Unlike"]
    .map((label) => `[aria-label*='${label}' i]`).join(", ");
  // The action bar's markers (U-FB4): a post's own comment / share trigger only opens a box or a menu.
  const TRIGGER = "[data-ad-rendering-role='comment_button'], [data-ad-rendering-role='share_button']";
  const COMMENT_BOX = ["Tulis komentar", "Write a comment", "Komentari sebagai", "Comment as", "Tulis balasan", "Write a reply",
    "Balas ke", "Reply to"].flatMap((label) => ["aria-label", "aria-placeholder"]
    .map((attr) => `[role='textbox'][contenteditable='true'][${attr}^='${label}']`)).join(", ");

  Netral.defineSite({
    platform: "facebook",
    table: {
      post: {
        // Feed posts are no longer [role=article] (OCLI#2089; U-FB1: "div[role=article] now matches empty
        // placeholder divs"). A post is the highest ancestor holding exactly one post menu (OCLI feed.js
        // actionAnchoredContainers): a menu holder with a sibling that holds another; on a page with one post
        // (permalink, the comments dialog) the child of the landmark that holds it (OCLI stops at landmarks, so
        // nothing holding a landmark or a dialog is a post).
        // FBCMF still finds posts as div[role=main] div[aria-posinset]. Comments stay articles, labelled
        // "Komentar oleh …" / "Balasan oleh …" / "Comment by …" / "Reply by …" (U-FB1 scanFbFeedPosts); the
        // innermost container is the subject, so a like on a comment is about the comment (the engine's default,
        // the outermost, would make every comment its post).
        nesting: "innermost",
        container: [
          `div:has(${MENU}) ~ div:has(${MENU}):not(${REGIONS})`, `div:has(${MENU}):has(~ * ${MENU}):not(${REGIONS})`,
          `:is([role='main'], [role='dialog']) > div:has(${MENU}):not([role='feed'], :has([role='feed']))`,
          "div[role='main'] div[aria-posinset]",
          ...["Komentar oleh", "Balasan oleh", "Comment by", "Reply by"].map((l) => `[role='article'][aria-label*='${l}' i]`),
        ].join(", "),
        // The author's name link: data-ad-rendering-role="profile_name" (U-FB4), h2/h3/h4/strong a (OCLI feed.js
        // findAuthor); comments have no header: their first link is the commenter.
        author: "[data-ad-rendering-role='profile_name'] a[href], h2 a[href], h3 a[href], h4 a[href], strong a[href]",
        // The post text (U-FB4: story_message, message, data-ad-comet-preview, data-ad-preview); comments, and posts
        // with none of these (OCLI#2089 fixture), put their text in <div dir="auto">.
        text: "[data-ad-rendering-role='story_message'], [data-ad-rendering-role='message'], " +
          "[data-ad-preview='message'], [data-ad-comet-preview='message']",
        commentText: "div[dir='auto']",
        // Hashtags link to /hashtag/<tag> (no source; the path is Facebook's public URL scheme).
        hashtag: "a[href*='/hashtag/']",
        // The timestamp link is the permalink (OCLI feed.js postUrlFrom; U-FB2 a[href*="/posts/pfbid"]).
        permalink: "a[href*='/posts/'], a[href*='/permalink/'], a[href*='/permalink.php'], a[href*='/story.php'], " +
          "a[href*='story_fbid='], a[href*='/photo/?fbid='], a[href*='/videos/'], a[href*='/reel/']",
        // A shared post's original inside the sharer's post (no source found for attached_story; kept).
        attachedStory: "[data-ad-rendering-role='attached_story'], [data-ad-comet-preview='attached_story']",
      },
      controls: {
        like: [
          // <div aria-label="Suka" role="button"> (U-FB1, U-FB3); comment likes are text buttons "Suka" | "Like".
          { selector: "[role='button'], button", labels: ["Suka", "Like"] },
          // The English feed dropped the aria-labels (OCLI#2089); the button holds
          // <div data-ad-rendering-role="like_button"> in every language (U-FB3, U-FB4).
          { selector: `[role='button']:has([data-ad-rendering-role='like_button']):not(${LIKED})` },
          // The reactions flyout opens on hover, in a layer outside the post: aria-label "Tanggapan", or a dialog
          // holding the reactions (U-FB1 fbPerformReaction). "Reaksi" | "Reactions" have no source; kept.
          { selector: "[role='button'], button", labels: REACTIONS, scope: "last",
            within: "[aria-label='Tanggapan'], [aria-label='Reaksi'], [aria-label='Reactions'], " +
              "[role='dialog']:has([role='button'][aria-label='Haha'], [role='button'][aria-label='Wow'])" },
        ],
        share: [
          // The share trigger (aria-label "Kirim ini ke teman atau posting di profil Anda." | "Send this to friends or
          // post it on your profile.", U-FB1, U-FB2) opens a picker: menuitems in some layouts, buttons in a dialog
          // in others (U-FB5). Its publishing steps: "Bagikan sekarang (Publik|Teman)" (4058434567, 4410637827) |
          // "Share now" (U-FB5), the share composer's "Posting" | "Post" (54488262760), "Kirim" | "Send"
          // (Messenger, groups) and "Salin tautan" | "Copy link" (no source; kept). "Share to Feed" only opens
          // that composer, so it is not a step (see docs/sites/facebook.md). A button of a dialog that holds a
          // comment box is that composer's (the comments dialog's "Kirim" send arrow, U-FB1), not a share step.
          {
            selector: `:is([role='button'], button, [role='menuitem']):not(:has(${TRIGGER})):not([role='dialog']:has(${COMMENT_BOX}) *)`,
            within: "[role='dialog'], [role='menu']", scope: "last",
            labels: ["Bagikan sekarang*", "Share now*", "Bagikan", "Share", "Posting", "Post", "Kirim", "Send",
              "Salin tautan", "Copy link"],
          },
        ],
        follow: [
          // [aria-label="Ikuti"][role="button"] (U-FB1); "Join group" (OCLI join-group.js); "Follow", "Gabung ke grup",
          // "Gabung", "Join" have no source; kept.
          { selector: "[role='button'], button", labels: ["Ikuti", "Follow", "Gabung ke grup", "Join group", "Gabung", "Join"] },
        ],
      },
      composers: {
        comment: {
          // Lexical <div contenteditable="true" role="textbox">, named by aria-label or only by aria-placeholder
          // "Komentari sebagai …" (U-FB1 findActiveFbCommentInput); replies "Tulis balasan…" | "Write a reply…".
          textbox: COMMENT_BOX,
          // Enter sends, Shift+Enter is a new line (U-FB1 falls back to Enter when no send button is found).
          submitKeys: ["Enter"],
          // The send arrow (U-FB1 findFbCommentSubmitButton: "posting komentar", "post comment", "kirim komentar",
          // "send comment", "kirim", "send"; "Komentar" | "Comment" have no source; kept). The post's own comment
          // button (data-ad-rendering-role="comment_button", U-FB4; "Komentar" | "Comment", U-FB1) only opens the box.
          // An unlabelled arrow (U-FB1) is covered by Enter only.
          submit: [{
            selector: `:is([role='button'], button):not(:has(${TRIGGER}))`,
            labels: ["Kirim komentar", "Posting komentar", "Post comment", "Send comment", "Komentar", "Comment", "Kirim", "Send"],
          }],
        },
      },
      page: {
        // A page's or group's name: its <h1>; profiles no longer have one, their avatar link carries the name as
        // aria-label on the link and on its role=img child (OCLI profile.js).
        title: "[role='main'] h1, h1",
        avatar: "[role='main'] a[aria-label][href]:has([role='img'][aria-label])",
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
      const textEl = own(sel.text)[0] ?? own(sel.commentText).find((el) => !el.closest(sel.author));
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

    // Posts nest (comments inside posts, posts inside the feed's containers): the innermost is the subject.
    // Follow / join outside a post is about the page, profile or group on screen.
    contextFor(control, rule, table) {
      const postEl = control.closest(table.post.container);
      if (postEl) return rule.scope === "last" ? null : { postEl };
      if (rule.action !== "follow") return null;
      const title = document.querySelector(table.page.title);
      return {
        post: {
          author_handle: Netral.extract.handleFromHref(location.href, table.page.reservedPaths),
          author_name: title ? Netral.extract.text(title) : document.querySelector(table.page.avatar)?.getAttribute("aria-label") ?? null,
          url: location.href,
        },
      };
    },

    // A comment box is inside its post (the permalink, the comments dialog); a reply box inside its comment.
    composerContext(textbox, table, ctx) {
      const postEl = textbox.closest(table.post.container) ?? ctx.lastPost;
      return { action: postEl ? "comment" : "post", postEl };
    },
  });
})();
