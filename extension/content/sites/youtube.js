// YouTube (www.youtube.com, m.youtube.com): which controls are actions, and how to read a video or a comment.
// Each entry cites the public source that reads the same markup (audit: ../shared/research/site-markup-sources-2026.md
// §5; per-row verdicts in docs/sites/youtube.md). Sources without a repository are cited by their archive id.
"use strict";

(() => {
  const reserved = ["watch", "shorts", "results", "feed", "playlist", "channel", "c", "user", "hashtag", "embed", "live"];
  // The Share icon's path, the one stable hook of the Share button and its overflow-menu item
  // (code-charity/youtube details.css, 9353b06, 2026-08-16).
  const shareIcon = "svg path[d^='M10 3.158V7.51c']";

  // The channel page's name (see page.channelName below).
  const CHANNEL_NAME = "yt-page-header-view-model h1, ytd-c4-tabbed-header-renderer #channel-name, #channel-header #channel-name";

  Netral.defineSite({
    platform: "youtube",
    // YouTube is a single-page app that keeps <ytd-watch-flexy> and fills it with the next video; it fires
    // yt-navigate-finish on document once a navigation is rendered.
    navigationEvents: ["yt-navigate-finish"],
    table: {
      post: {
        // Desktop: a comment (<ytd-comment-view-model>, older <ytd-comment-renderer>; archive 55228622407, SHE
        // 07d8c4f 2024-10-11), a Short (<ytd-reel-video-renderer>; Anarios/return-youtube-dislike c0c3a2e
        // 2025-10-29) and the watch page's video (<ytd-watch-flexy video-id>; RYD userscript 30213b9 l.533).
        // m.youtube.com (audit §5 row 4, missing): the watch page's <ytm-slim-video-metadata-section-renderer>
        // (title, owner, action bar; archive 530556544, 18120033065) and a Short's <shorts-video> in
        // .ytShortsCarouselCarouselItem (PreMiD/Activities mobile_shorts.ts, 2c3e7c3 2025-04-29).
        // A comment sits inside its video's ytd-watch-flexy and is its own subject: the innermost match is the post.
        nesting: "innermost",
        container: "ytd-comment-view-model, ytd-comment-renderer, ytd-reel-video-renderer, ytd-watch-flexy, " +
          "ytm-slim-video-metadata-section-renderer, shorts-video",
        // Watch: <ytd-watch-metadata #title h1> (no source found; plausible). Shorts: yt-shorts-video-title-view-model
        // and .ytReelMultiFormatLinkViewModelTitle (archive 47730505289, "2026 structure"). Mobile watch:
        // h2[class*=video-information-title] (PMD mobile_default.ts 2025-04-29), .slim-video-information-title
        // (archive 55656043218); mobile Short: .ytShortsVideoTitleViewModelShortsVideoTitle (PMD mobile_shorts.ts).
        title: "ytd-watch-metadata #title h1, #title h1, h2.title, yt-shorts-video-title-view-model, " +
          ".ytReelMultiFormatLinkViewModelTitle, h2[class*='video-information-title'], .slim-video-information-title, " +
          ".ytShortsVideoTitleViewModelShortsVideoTitle",
        // ytd-channel-name a (ajayyy/maze-utils video.ts b284875 2026-05-03), a comment's a#author-text; a Short's
        // yt-reel-channel-bar-view-model #channel-name a (archive 47730505289); mobile a.slim-owner-icon-and-title
        // (MAZE "Mobile YouTube"; PMD a[class*=owner-icon-and-title]) and .ytReelChannelBarViewModelChannelName a.
        channel: "ytd-channel-name a[href], #author-text[href], a#author-text, yt-reel-channel-bar-view-model #channel-name a, " +
          "a[class*='owner-icon-and-title'], .ytReelChannelBarViewModelChannelName a",
        // The owner's display name where the channel link holds only an avatar (mobile: [class*=owner-channel-name],
        // PMD mobile_default.ts).
        channelName: "[class*='owner-channel-name']",
        // <ytd-text-inline-expander id="description-inline-expander"> (no source found; plausible) and a comment's
        // #content-text (archive 55228622407 YOUTUBE_CONFIG.comment).
        text: "#description-inline-expander, ytd-text-inline-expander, #description .content, #content-text",
        hashtag: "a[href^='/hashtag/'], a[href*='youtube.com/hashtag/']",
      },
      controls: {
        like: [
          // <like-button-view-model> … <button aria-pressed="false"> on the watch page, in the Shorts action bar
          // (#button-bar > reel-action-bar-view-model > like-button-view-model > … > label > button; archive
          // 47730505289) and in m.youtube.com's .slim-video-action-bar-actions (archive 71023733249). Pressed is an
          // unlike: not held. code-charity/youtube shortcuts.js (9353b06) clicks 'like-button-view-model button'.
          { selector: "like-button-view-model button[aria-pressed='false']" },
          // A comment's <ytd-toggle-button-renderer id="like-button"> (no source found; plausible).
          { selector: "ytd-comment-engagement-bar #like-button button[aria-pressed='false']" },
          // Older m.youtube.com: ytm-segmented-like-dislike-button-renderer … ytm-toggle-button-renderer > button
          // (archive 18120033065) and a mobile Short's ytm-like-button-renderer (RYD userscript 30213b9 l.79).
          { selector: "ytm-segmented-like-dislike-button-renderer ytm-toggle-button-renderer:first-of-type button[aria-pressed='false'], " +
            "ytm-like-button-renderer button[aria-pressed='false']" },
        ],
        // A comment's "Balas" | "Reply" (<ytd-button-renderer id="reply-button-end">; archive 55301671178) opens a
        // reply box.
        comment: [{ selector: "ytd-comment-engagement-bar #reply-button-end button" }],
        share: [
          // The action row's Share (code-charity/youtube details.css: #menu yt-button-view-model:has(<share path>)),
          // with the label as a second anchor (archive 63238141632 'yt-button-view-model button[aria-label^="Share" i]').
          { selector: `yt-button-view-model:has(${shareIcon}) button` },
          { selector: "ytd-watch-metadata #actions button, #share-button button", labels: ["Bagikan", "Share"] },
          // The Shorts action bar reel-action-bar-view-model (archive 47730505289) replaced
          // ytd-reel-player-overlay-renderer #share-button (audit row 14: no source shows it; kept for older pages).
          // No source names its Share button; it is matched by its label.
          { selector: "reel-action-bar-view-model button, ytd-reel-player-overlay-renderer #share-button button",
            labels: ["Bagikan", "Share"] },
          // m.youtube.com's action bar chips (button-view-model.ytSpecButtonViewModelHost in
          // .slim-video-action-bar-actions, archive 71023733249); Share's label has no source.
          { selector: ".slim-video-action-bar-actions button", labels: ["Bagikan", "Share"] },
          // A narrow row moves Share into the "…" overflow listbox in <ytd-popup-container>, outside the video
          // (audit row 13, missing): tp-yt-paper-listbox tp-yt-paper-item:has(<share path>) (details.css).
          { selector: `tp-yt-paper-listbox tp-yt-paper-item:has(${shareIcon})`, scope: "last" },
          { selector: "tp-yt-paper-listbox tp-yt-paper-item", labels: ["Bagikan", "Share"], scope: "last" },
          // The share panel <ytd-unified-share-panel-renderer> (outside the video) with <yt-share-target-renderer>
          // targets and "Salin" | "Copy" (#copy-button): no source found (audit row 15); kept as it was.
          { selector: "yt-share-target-renderer button, yt-share-target-renderer [role='button'], #copy-button button",
            within: "ytd-unified-share-panel-renderer", scope: "last" },
        ],
        // <ytd-subscribe-button-renderer> and <yt-subscribe-button-view-model> (code-charity/youtube functions.js,
        // 9353b06 2026-08-20; the Shorts metapanel's yt-subscribe-button-view-model, archive 47730505289);
        // m.youtube.com's <ytm-subscribe-button-renderer> (archive 71023733249). Labels have no source: "Subscribe"
        // is the button text in both interfaces; once subscribed it reads "Subscribed" | "Disubscribe" (not held).
        follow: [{ selector: "ytd-subscribe-button-renderer button, yt-subscribe-button-view-model button, #subscribe-button button, " +
          "ytm-subscribe-button-renderer button",
        labels: ["Subscribe", "Subscribe ke *", "Subscribe to *", "Berlangganan", "Berlangganan ke *"] }],
      },
      composers: {
        comment: {
          // Top-level comments are written in <ytd-comment-simplebox-renderer> (audit row 17, stale: only
          // ytd-commentbox was a composer), replies in <ytd-commentbox> inside <ytd-comment-replies-renderer>; both
          // edit in #contenteditable-root[contenteditable="true"] (archive 55301671178 _COMMENTBOX_SEL, _REPLY_INPUT_SEL).
          textbox: "ytd-comment-simplebox-renderer #contenteditable-root[contenteditable='true'], " +
            "ytd-commentbox #contenteditable-root[contenteditable='true']",
          submitKeys: [],
          // archive 55301671178 _SUBMIT_SEL: "ytd-comment-simplebox-renderer #submit-button button, ytd-commentbox
          // #submit-button button, …"; the Shorts panel's box is "#submit-button button" (archive 47730505289).
          submit: [{ selector: "ytd-comment-simplebox-renderer #submit-button button, ytd-commentbox #submit-button button" }],
        },
      },
      page: {
        // A channel page (/@handle): <yt-page-header-view-model> (code-charity/youtube functions.js handles
        // YTD-PAGE-HEADER-RENDERER and .yt-page-header-view-model__page-header-headline-info; plausible), older
        // <ytd-c4-tabbed-header-renderer>, with the channel's name in <h1>.
        channelName: CHANNEL_NAME,
        // Subscribe outside a video is about the channel on screen: the engine's default follow (handle from the URL).
        profile: { name: CHANNEL_NAME },
        // A reply box's thread and the comment it answers (archive 55301671178: ytd-comment-thread-renderer, its
        // ytd-comment-replies-renderer).
        thread: "ytd-comment-thread-renderer",
        threadComment: "ytd-comment-view-model, ytd-comment-renderer",
        reservedPaths: reserved,
      },
    },

    extract(postEl, table) {
      const x = Netral.extract;
      const sel = table.post;
      const own = (selector) => x.own(postEl, sel.container, selector);
      const channel = own(sel.channel)[0];
      const title = own(sel.title)[0];
      const textEl = own(sel.text)[0];
      const text = [x.text(title), x.text(textEl)].filter(Boolean).join("\n");
      const name = x.text(own(sel.channelName)[0]) || (channel ? x.text(channel) : "");
      return {
        author_handle: x.handleFromHref(channel?.getAttribute("href"), table.page.reservedPaths),
        author_name: name || null,
        text,
        hashtags: x.postHashtags(own(sel.hashtag), text),
        mentions: x.unique(x.mentions(text)),
        url: videoUrl(postEl),
      };
    },

    // A reply is a comment on the comment it answers, whose box sits beside it in the thread; any other box
    // comments on its enclosing post (the video), else on the last post the user acted on.
    composerContext(textbox, table, ctx) {
      const thread = textbox.closest("ytd-comment-replies-renderer")?.closest(table.page.thread);
      const postEl = thread?.querySelector(table.page.threadComment) ?? textbox.closest(table.post.container) ??
        ctx.lastPost;
      return { action: postEl ? "comment" : "post", postEl };
    },

  });

  /** The video's canonical URL: desktop's video-id attribute, else the page's ?v= or /shorts/<id> (mobile has no
   * video-id attribute: RYD userscript l.534). */
  function videoUrl(postEl) {
    const id = postEl.getAttribute("video-id");
    if (id) return `https://www.youtube.com/watch?v=${id}`;
    if (postEl.matches("ytd-comment-view-model, ytd-comment-renderer")) return location.href;
    const v = new URLSearchParams(location.search).get("v");
    if (v) return `https://www.youtube.com/watch?v=${v}`;
    const short = location.pathname.match(/^\/shorts\/([\w-]+)/)?.[1];
    return short ? `https://www.youtube.com/shorts/${short}` : location.href;
  }
})();
