// WhatsApp Web (web.whatsapp.com): forwarding a message (a share of that message) and sending a message or a
// sticker into a chat (a post). Markup notes are from web.whatsapp.com, 2023–2025, in its Indonesian and English
// interfaces (WhatsApp dropped data-testid in 2023; roles, aria-labels, data-icon and data-pre-plain-text remain).
"use strict";

Netral.defineSite({
  platform: "whatsapp",
  table: {
    post: {
      // Each message of the open chat: <div role="row"> in #main, holding <div class="message-in|message-out">.
      container: "#main [role='row']",
      // <div class="copyable-text" data-pre-plain-text="[10.02, 12/1/2024] Budi Santoso: ">: time and sender.
      meta: "[data-pre-plain-text]",
      // The text: <span class="selectable-text copyable-text" dir="ltr"><span>…</span></span>.
      text: "span.selectable-text",
      // A media message's caption, or a document's file name.
      caption: "[data-testid='media-caption'] span, span[title]",
      // The chat's name: <header><… ><span dir="auto" title="Grup Relawan">.
      chatTitle: "#main header span[dir='auto'][title], #main header span[dir='auto']",
    },
    controls: {
      share: [
        // The message menu (<span data-icon="down-context"> on hover) opens a menu outside the chat:
        // <li role="button" aria-label="Teruskan" | "Forward"> (older: <div role="button">Teruskan</div>).
        { selector: "li[role='button'], [role='button'], [role='menuitem']", within: "[role='application'], [role='menu']",
          labels: ["Teruskan", "Forward"], scope: "last" },
        // The quick forward button beside media messages: aria-label "Teruskan media" | "Forward media".
        { labels: ["Teruskan media", "Forward media"] },
        // The "Teruskan pesan ke" | "Forward message to" dialog sends with <div role="button" aria-label="Kirim" |
        // "Send"><span data-icon="send">.
        { selector: "[role='button'], button", within: "[role='dialog'], [data-animate-modal-popup='true']",
          labels: ["Kirim", "Send"], scope: "last" },
      ],
      post: [
        // The sticker panel (in the expressions panel by the chat box): each sticker is a <div role="button">
        // (or gridcell) around <img alt="…" src="…">; a click sends it at once.
        { selector: "#expressions-panel-container [role='button']:has(img), #expressions-panel-container [role='gridcell']:has(img)",
          scope: "none" },
      ],
    },
    composers: {
      chat: {
        // <footer><div contenteditable="true" role="textbox" aria-label="Ketik pesan" | "Type a message"
        // data-tab="10"> (Lexical).
        textbox: "footer [contenteditable='true'][role='textbox'], footer div[contenteditable='true'][data-tab='10']",
        // Enter sends, Shift+Enter is a new line.
        submitKeys: ["Enter"],
        // <button aria-label="Kirim" | "Send" data-tab="11"><span data-icon="send"> (older: wds-ic-send-filled).
        submit: [{ selector: "footer button, footer [role='button']", labels: ["Kirim", "Send"] }],
      },
    },
  },

  extract(row, table) {
    const x = Netral.extract;
    const sel = table.post;
    const meta = row.querySelector(sel.meta)?.getAttribute("data-pre-plain-text") ?? "";
    const sender = meta.match(/^\[[^\]]*\]\s*(.*?):\s*$/)?.[1] ?? null;
    const text = [...row.querySelectorAll(sel.text)].map((el) => x.text(el)).join("\n")
      || x.text(row.querySelector(sel.caption));
    return {
      author_name: sender || x.text(document.querySelector(sel.chatTitle)) || null,
      text,
      hashtags: x.unique(x.hashtags(text)),
      mentions: x.unique(x.mentions(text)),
    };
  },

  // A sticker is a post whose text is its accessible label, else its image's alt text or file name.
  contextFor(control, rule) {
    if (rule.action !== "post") return null;
    const img = control.querySelector("img");
    const src = img?.getAttribute("src") ?? "";
    const fileName = decodeURIComponent(src.split(/[?#]/)[0].split("/").pop() ?? "").replace(/\.\w+$/, "").replace(/[-_]+/g, " ");
    const text = control.getAttribute("aria-label") || img?.getAttribute("alt") || (src.startsWith("data:") ? "" : fileName);
    return { post: { text: text.trim() } };
  },

  // Everything typed into a chat is a new post, whatever message is on screen.
  composerContext() {
    return { action: "post", postEl: null };
  },
});
