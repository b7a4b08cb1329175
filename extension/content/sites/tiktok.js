// TikTok (www.tiktok.com): which controls are actions, and how to read a video. Markup notes are from
// tiktok.com's web client, 2023–2025, in its Indonesian and English interfaces; TikTok marks its controls with
// data-e2e attributes (stable across redesigns) and styled-components classes "css-…-DivName" (the DivName part
// is stable, hence [class*='…']).
"use strict";

Netral.defineSite({
  platform: "tiktok",
  table: {
    post: {
      // For You / Following feed items: <article data-e2e="recommend-list-item-container"> (older builds: a div);
      // a video page (/@user/video/<id>) or the browse modal: <div class="css-…-DivBrowserModeContainer"> or
      // "…-DivVideoDetailContainer".
      container: "[data-e2e='recommend-list-item-container'], [class*='DivBrowserModeContainer'], [class*='DivVideoDetailContainer']",
      // <h3 data-e2e="video-author-uniqueid">prabowo</h3> (feed), <span data-e2e="browse-username">prabowo</span>.
      handle: "[data-e2e='video-author-uniqueid'], [data-e2e='browse-username']",
      // <h4 data-e2e="video-author-nickname">Prabowo Subianto</h4>, <span data-e2e="browse-user-nickname">.
      nickname: "[data-e2e='video-author-nickname'], [data-e2e='browse-user-nickname']",
      // The avatar link <a data-e2e="video-author-avatar" href="/@prabowo">: the handle when the texts are missing.
      profileLink: "a[href^='/@']",
      // <div data-e2e="video-desc"> | "browse-video-desc": text, with <a data-e2e="search-common-link"
      // href="/tag/<tag>"><strong>#tag</strong></a>.
      text: "[data-e2e='video-desc'], [data-e2e='browse-video-desc']",
      hashtag: "a[href^='/tag/']",
      permalink: "a[href*='/video/']",
    },
    controls: {
      like: [
        // <button aria-label="Suka video …" | "Like video …" aria-pressed="false"><span data-e2e="like-icon">…;
        // on a video page <span data-e2e="browse-like-icon">. Pressed is an unlike: not held.
        { selector: "button:not([aria-pressed='true']):has([data-e2e='like-icon'], [data-e2e='browse-like-icon'])" },
        // A double-click on the playing video likes it.
        { selector: "video, [data-e2e='feed-video']", on: "dblclick" },
      ],
      // <span data-e2e="comment-icon"> | "browse-comment-icon" opens the comment panel.
      comment: [{ selector: "button:has([data-e2e='comment-icon'], [data-e2e='browse-comment-icon']), [data-e2e='browse-comment-icon']" }],
      // <span data-e2e="share-icon"> opens the share menu (repost, copy link, send to friends, other apps): the
      // share is held here, and the menu then only carries out the choice.
      share: [{ selector: "button:has([data-e2e='share-icon']), [data-e2e='share-icon'], [data-e2e='browse-share-icon']" }],
      // <button data-e2e="feed-follow"> (the "+" on the feed avatar), "browse-follow" (video page), "follow-button"
      // (profile page), text "Ikuti" | "Follow"; once followed "Mengikuti" | "Following" or "Teman" | "Friends".
      follow: [{ selector: "[data-e2e='feed-follow'], [data-e2e='browse-follow'], [data-e2e='follow-button']",
        labels: ["Ikuti", "Follow", "Ikuti balik", "Follow back"] }],
    },
    composers: {
      comment: {
        // <div data-e2e="comment-input"><div class="DraftEditor-root">…<div contenteditable="true" role="textbox">.
        textbox: "[data-e2e='comment-input'] [contenteditable='true']",
        // Enter posts the comment.
        submitKeys: ["Enter"],
        // <div data-e2e="comment-post" role="button">Posting | Post</div>.
        submit: [{ selector: "[data-e2e='comment-post']" }],
      },
    },
    page: {
      // A profile page (/@handle): <h1 data-e2e="user-title">prabowo</h1><h2 data-e2e="user-subtitle">Prabowo…</h2>.
      profileHandle: "[data-e2e='user-title']",
      profileName: "[data-e2e='user-subtitle']",
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
      url: x.absolute(postEl.querySelector(sel.permalink)?.getAttribute("href")) ?? location.href,
    };
  },

  // On the feed the comment panel sits beside the videos: it belongs to the video whose comment icon was pressed.
  composerContext(textbox, table) {
    const postEl = textbox.closest(table.post.container)
      ?? Netral.engine.lastActionPost("comment") ?? Netral.engine.lastPost;
    return { action: postEl ? "comment" : "post", postEl };
  },

  // Follow on a profile page is about the profile on screen.
  contextFor(control, rule, table) {
    if (rule.action !== "follow" || control.closest(table.post.container)) return null;
    const x = Netral.extract;
    return {
      post: {
        author_handle: x.text(document.querySelector(table.page.profileHandle))
          || x.handleFromHref(location.href, table.page.reservedPaths),
        author_name: x.text(document.querySelector(table.page.profileName)) || null,
        url: location.href,
      },
    };
  },
});
