// YouTube (www.youtube.com, m.youtube.com): which controls are actions, and how to read a video or a comment.
// Markup notes are from youtube.com's Polymer/Lit desktop client (custom elements ytd-…, *-view-model),
// 2023–2025, in its Indonesian and English interfaces.
"use strict";

(() => {
  const reserved = ["watch", "shorts", "results", "feed", "playlist", "channel", "c", "user", "hashtag", "embed", "live"];

  Netral.defineSite({
    platform: "youtube",
    // YouTube is a single-page app that keeps <ytd-watch-flexy> and fills it with the next video; it fires
    // yt-navigate-finish on document once a navigation is rendered.
    navigationEvents: ["yt-navigate-finish"],
    table: {
      post: {
        // A comment (<ytd-comment-view-model>, older <ytd-comment-renderer>), a Short (<ytd-reel-video-renderer>),
        // and the video of a watch page (<ytd-watch-flexy video-id="…">, which also holds the comments section).
        container: "ytd-comment-view-model, ytd-comment-renderer, ytd-reel-video-renderer, ytd-watch-flexy",
        // <ytd-watch-metadata><div id="title"><h1><yt-formatted-string>Title</yt-formatted-string></h1>.
        title: "ytd-watch-metadata #title h1, #title h1, h2.title",
        // <ytd-video-owner-renderer><ytd-channel-name><… id="text"><a href="/@prabowo">Prabowo Subianto</a>; a
        // Short's channel is <ytd-channel-name> in its overlay too; a comment's is <a id="author-text" href="/@…">.
        channel: "ytd-channel-name a[href], #author-text[href], a#author-text",
        // <ytd-text-inline-expander id="description-inline-expander"> (watch) and <… id="content-text"> (comments).
        text: "#description-inline-expander, ytd-text-inline-expander, #description .content, #content-text",
        // Hashtags link to /hashtag/<tag>; the three above the title are in <ytd-watch-metadata #super-title>.
        hashtag: "a[href^='/hashtag/'], a[href*='youtube.com/hashtag/']",
      },
      controls: {
        // <segmented-like-dislike-button-view-model><like-button-view-model><toggle-button-view-model>
        // <button-view-model><button aria-pressed="false" aria-label="like this video along with 1,234 other
        // people" | "Sukai video ini bersama 1.234 orang lainnya">; a comment's is <ytd-toggle-button-renderer
        // id="like-button"> in <ytd-comment-engagement-bar>. Pressed (aria-pressed="true") is an unlike: not held.
        like: [{ selector: "like-button-view-model button[aria-pressed='false'], ytd-comment-engagement-bar #like-button button[aria-pressed='false']" }],
        // A comment's "Balas" | "Reply" (<ytd-button-renderer id="reply-button-end">) opens a reply box.
        comment: [{ selector: "ytd-comment-engagement-bar #reply-button-end button" }],
        share: [
          // The action bar's <yt-button-view-model><button-view-model><button aria-label="Bagikan" | "Share">…
          { selector: "ytd-watch-metadata #actions button, ytd-reel-player-overlay-renderer #share-button button, #share-button button",
            labels: ["Bagikan", "Share"] },
          // … opens <tp-yt-paper-dialog><ytd-unified-share-panel-renderer> (outside the video) whose targets are
          // <yt-share-target-renderer> buttons (WhatsApp, Facebook, X, …) and "Salin" | "Copy" (#copy-button).
          { selector: "yt-share-target-renderer button, yt-share-target-renderer [role='button'], #copy-button button",
            within: "ytd-unified-share-panel-renderer", scope: "last" },
        ],
        // <ytd-subscribe-button-renderer> (watch page, channel header <yt-subscribe-button-view-model>):
        // <button aria-label="Subscribe ke Prabowo Subianto." | "Subscribe to Prabowo Subianto.">Subscribe</button>;
        // once subscribed it reads "Subscribed" | "Disubscribe" (not held).
        follow: [{ selector: "ytd-subscribe-button-renderer button, yt-subscribe-button-view-model button, #subscribe-button button",
          labels: ["Subscribe", "Subscribe ke *", "Subscribe to *", "Berlangganan", "Berlangganan ke *"] }],
      },
      composers: {
        comment: {
          // <ytd-commentbox><… id="contenteditable-textarea"><div id="contenteditable-root" contenteditable="true"
          // aria-label="Tambahkan komentar…" | "Add a comment…"> (replies: "Tambahkan balasan…" | "Add a reply…").
          textbox: "ytd-commentbox #contenteditable-root[contenteditable='true']",
          submitKeys: [],
          // <ytd-button-renderer id="submit-button"><button aria-label="Komentar" | "Comment" | "Balas" | "Reply">.
          submit: [{ selector: "ytd-commentbox #submit-button button" }],
        },
      },
      page: {
        // A channel page (/@handle): <yt-page-header-view-model> (older <ytd-c4-tabbed-header-renderer>) with the
        // channel's name in <h1>.
        channelName: "yt-page-header-view-model h1, ytd-c4-tabbed-header-renderer #channel-name, #channel-header #channel-name",
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
      const videoId = postEl.getAttribute("video-id");
      return {
        author_handle: x.handleFromHref(channel?.getAttribute("href"), table.page.reservedPaths),
        author_name: channel ? x.text(channel) || null : null,
        text,
        hashtags: x.postHashtags(own(sel.hashtag), text),
        mentions: x.unique(x.mentions(text)),
        url: videoId ? `https://www.youtube.com/watch?v=${videoId}` : location.href,
      };
    },

    // Subscribe on a channel page is about the channel on screen.
    contextFor(control, rule, table) {
      if (rule.action !== "follow" || control.closest(table.post.container)) return null;
      const name = document.querySelector(table.page.channelName);
      return {
        post: {
          author_handle: Netral.extract.handleFromHref(location.href, table.page.reservedPaths),
          author_name: name ? Netral.extract.text(name) : null,
          url: location.href,
        },
      };
    },
  });
})();
