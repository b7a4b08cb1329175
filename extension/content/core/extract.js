// Site-independent extraction helpers the site files compose: text, hashtags, mentions, handles from links.
"use strict";

Netral.extract = {
  /** Visible-ish text of an element, whitespace collapsed; emoji images contribute their alt text. */
  text(el) {
    if (!el) return "";
    let out = "";
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) out += node.nodeValue;
      else if (node.nodeType === Node.ELEMENT_NODE) {
        if (node.tagName === "IMG") out += node.getAttribute("alt") ?? "";
        else if (node.tagName === "BR") out += "\n";
        else for (const child of node.childNodes) walk(child);
      }
    };
    walk(el);
    return out.replace(/\s+/g, " ").trim();
  },

  /** Hashtags written in a text, without '#', in their original spelling (the companion splits CamelCase). */
  hashtags(text) {
    return [...String(text).matchAll(/(?:^|[^\p{L}\p{N}_&])[#＃]([\p{L}\p{N}_]+)/gu)].map((m) => m[1]);
  },

  /** @mentions written in a text, without '@'. */
  mentions(text) {
    return [...String(text).matchAll(/(?:^|[^\p{L}\p{N}_])@([A-Za-z0-9_.]{1,50})/gu)].map((m) => m[1].replace(/\.$/, ""));
  },

  /** The first path segment of a same-site profile link ("/prabowo" -> "prabowo"), unless it is a reserved path. */
  handleFromHref(href, reserved = []) {
    if (!href) return null;
    let url;
    try { url = new URL(href, location.href); } catch { return null; }
    const segment = url.pathname.split("/").filter(Boolean)[0];
    if (!segment || reserved.includes(segment.toLowerCase())) return null;
    return decodeURIComponent(segment).replace(/^@/, "");
  },

  /** Absolute URL of an href, or null. */
  absolute(href) {
    if (!href) return null;
    try { return new URL(href, location.href).href; } catch { return null; }
  },

  /** Elements of a post matching `selector` that are its own, not those of a post nested in it (a quote). */
  own(postEl, container, selector) {
    return [...postEl.querySelectorAll(selector)].filter((el) => el.closest(container) === postEl);
  },

  /** A post's hashtags: its hashtag links' text (without '#') and the '#words' of its text, each once. */
  postHashtags(links, text) {
    return this.unique([...links.map((a) => a.textContent.trim().replace(/^#/, "")), ...this.hashtags(text)]);
  },

  unique(values) {
    return [...new Set(values.filter(Boolean))];
  },

  /** A stable identity for an extracted post, to notice when a recycled element now shows another post. */
  fingerprint(post) {
    return JSON.stringify([post.url, post.author_handle, post.original_author_handle, post.text]);
  },
};
