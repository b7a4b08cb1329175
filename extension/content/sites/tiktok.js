// TikTok (www.tiktok.com): which controls are actions, and how to read a video, on the feed and a video page. TikTok
// marks its controls with data-e2e attributes (stable across redesigns) and styled-components classes
// "css-…-DivName" (the DivName part is stable, hence [class*='…']). Each entry cites the public project that reads the
// same markup (ids of ../shared/research/site-markup-sources-2026.md §0; verdicts in docs/sites/tiktok.md).
"use strict";

(() => {
  /** The video's URL from its player id "xgwrapper-0-<videoId>" (PMD presence.ts: id.split('-')[2]). */
  function playerUrl(postEl, sel, handle) {
    const id = postEl.querySelector(sel.player)?.id.split("-")[2];
    return id && handle ? new URL(`/@${handle}/video/${id}`, location.origin).href : null;
  }

  // The video whose share icon the pointer entered last: the share menu opens on hover (U-TT2) in a layer outside the
  // video, and the pointer may cross other videos on its way to the menu, so "the post last pointed at" is not its
  // owner. The engine's pointerover listener also runs in the capture phase; this one only remembers.
  let shareOpener = null;
  addEventListener("pointerover", (event) => {
    if (!event.isTrusted || !(event.target instanceof Element)) return;
    const opener = event.target.closest(site.table.page.shareOpener);
    if (opener) shareOpener = opener.closest(site.table.post.container) ?? shareOpener;
  }, { capture: true, passive: true });

  const site = {
    platform: "tiktok",
    table: {
      post: {
        // For You / Following feed items: [data-e2e="recommend-list-item-container"] (PMD websites/T/TikTok/presence.ts
        // fcaea9c 2025-03-10; TYS content.js). A video page (/@user/video/<id>) or the browse modal:
        // "…-DivBrowserModeContainer" / "…-DivVideoDetailContainer": no source (PMD reads the modal as
        // [class*="DivModalContainer"], a name shared with every other TikTok modal, so not used).
        container: "[data-e2e='recommend-list-item-container'], [class*='DivBrowserModeContainer'], [class*='DivVideoDetailContainer']",
        // <h3 data-e2e="video-author-uniqueid">prabowo</h3> (feed), [data-e2e="browse-username"] (video page): PMD, SAFA
        // TIKTOK_SELECTORS_REFERENCE.md (2df6eec, 2026-01-31).
        handle: "[data-e2e='video-author-uniqueid'], [data-e2e='browse-username']",
        // [data-e2e="video-author-nickname"] (feed, PMD). On a video page [data-e2e="browser-nickname"]
        // [class*="SpanNickName"] (PMD since faa11d6, 2023-12-24); our "browse-user-nickname" was in no source (audit
        // §4 row 5, fixed).
        nickname: "[data-e2e='video-author-nickname'], [data-e2e='browser-nickname'] [class*='SpanNickName']",
        // The author link <a href="/@prabowo"> around the uniqueid h3 (PMD userId.parentElement.getAttribute('href')):
        // the handle when the texts are missing.
        profileLink: "a[href^='/@']",
        // [data-e2e="video-desc"] | "browse-video-desc" (PMD, SAFA): text, with <a data-e2e="search-common-link"
        // href="/tag/<tag>"><strong>#tag</strong></a> (no source for the tag link).
        text: "[data-e2e='video-desc'], [data-e2e='browse-video-desc']",
        hashtag: "a[href^='/tag/']",
        // No source shows a /video/ link in a feed item (plausible); PMD builds the URL from the player's id
        // <div class="tiktok-web-player no-controls" id="xgwrapper-0-<videoId>">, the fallback of extract().
        permalink: "a[href*='/video/']",
        player: "[class~='tiktok-web-player'][id]",
      },
      controls: {
        like: [
          // A button around [data-e2e="like-icon"] (OCLI clis/tiktok/like.js 2026-05-04: icon.closest('button')); on a
          // video page "browse-like-icon" (SAFA). Pressed is an unlike, not held: aria-pressed is read by one
          // unattributed scroller (57386512208), OCLI reads the label instead (plausible).
          { selector: "button:not([aria-pressed='true']):has([data-e2e='like-icon'], [data-e2e='browse-like-icon'])" },
          // A double-click on the playing video likes it ([data-e2e="feed-video"]: PMD; that a web double-click
          // likes: no source).
          { selector: "video, [data-e2e='feed-video']", on: "dblclick" },
        ],
        // [data-e2e="comment-icon"] | "browse-comment-icon" opens the comment panel (OCLI comment.js l.46, SAFA).
        comment: [{ selector: "button:has([data-e2e='comment-icon'], [data-e2e='browse-comment-icon']), [data-e2e='browse-comment-icon']" }],
        share: [
          // [data-e2e="share-icon"] | "browse-share-icon" (SAFA) opens the share menu on click…
          { selector: "button:has([data-e2e='share-icon']), [data-e2e='share-icon'], [data-e2e='browse-share-icon']" },
          // … and on hover (U-TT2 8971085869: page.hover('i[data-e2e="share-icon"]') reveals a[data-e2e="share-link"]),
          // so the menu's publishing items are held too (audit §4 row 14). Its Repost item, also always on a video page:
          // <a id="icon-element-repost" data-e2e="video-share-repost" aria-label="Repost"> (GAB script.js fe468e4,
          // 2025-10-01; 54488294139, 2026-07-02). Once reposted the same element reads "Remove repost" and its icon is
          // yellow #FFC300 (60893563726, 68953567241): an undo, not held, in any language (audit §4 row 15).
          { selector: "[data-e2e='video-share-repost']:not([aria-label='Remove repost' i]):not(:has(path[fill='#FFC300' i]))" },
          { selector: "a[data-e2e='share-link']" },
        ],
        // "follow-button" (profile page, SAFA), "feed-follow" (the "+" on the feed avatar) and "browse-follow" (video
        // page) only in unattributed lists (71230742906); text "Follow" (OCLI follow.js 2026-05-07: by text), "Ikuti"
        // no source; once followed "Following" | "Friends" (OCLI), "Mengikuti" | "Teman" (no source): not held.
        follow: [{ selector: "[data-e2e='feed-follow'], [data-e2e='browse-follow'], [data-e2e='follow-button']",
          labels: ["Ikuti", "Follow", "Ikuti balik", "Follow back"] }],
      },
      composers: {
        comment: {
          // [data-e2e="comment-input"] [contenteditable="true"] (OCLI comment.js l.51/57, 2026-05-07).
          textbox: "[data-e2e='comment-input'] [contenteditable='true']",
          // Enter posts the comment (plausible).
          submitKeys: ["Enter"],
          // [data-e2e="comment-post"], [class*="DivPostButton"] (SAFA 2026-01-31); OCLI clicks it by its text "Post",
          // which both selectors already cover (audit §4 row 18).
          submit: [{ selector: "[data-e2e='comment-post'], [class*='DivPostButton']" }],
        },
      },
      page: {
        // A profile page (/@handle): [data-e2e="user-title"] / "user-subtitle", newer "user-profile-uid" /
        // "user-profile-nickname" (PMD, audit §4 row 19).
        profileHandle: "[data-e2e='user-profile-uid'], [data-e2e='user-title']",
        profileName: "[data-e2e='user-profile-nickname'], [data-e2e='user-subtitle']",
        // A follow on a profile page: the engine's default reads the profile on screen from these.
        profile: {
          handle: "[data-e2e='user-profile-uid'], [data-e2e='user-title']",
          name: "[data-e2e='user-profile-nickname'], [data-e2e='user-subtitle']",
        },
        // The share icon whose hover or click opens the share menu.
      shareOpener: "[data-e2e='share-icon'], [data-e2e='browse-share-icon']",
      reservedPaths: ["foryou", "following", "explore", "live", "tag", "music", "search", "discover", "upload"],
      },
    },

    extract(postEl, table) {
      const x = Netral.extract;
      const sel = table.post;
      const textOf = (selector) => x.text(postEl.querySelector(selector)) || null;
      const text = textOf(sel.text) ?? "";
      const handle = textOf(sel.handle)?.replace(/^@/, "")
        ?? x.handleFromHref(postEl.querySelector(sel.profileLink)?.getAttribute("href"), table.page.reservedPaths);
      return {
        author_handle: handle,
        author_name: textOf(sel.nickname),
        text,
        hashtags: x.postHashtags([...postEl.querySelectorAll(sel.hashtag)], text),
        mentions: x.unique(x.mentions(text)),
        url: x.absolute(postEl.querySelector(sel.permalink)?.getAttribute("href")) ?? playerUrl(postEl, sel, handle)
          ?? location.href,
      };
    },


    contextFor(control, rule, table) {
      if (control.closest(table.post.container)) return null;
      // A share menu item outside the video belongs to the video whose share icon opened the menu.
      if (rule.action === "share") return shareOpener?.isConnected ? { postEl: shareOpener } : null;
      return null; // a follow on a profile page: the engine's default, from page.profile
    },
  };

  Netral.defineSite(site);
})();
