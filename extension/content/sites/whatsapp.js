// WhatsApp Web (web.whatsapp.com): forwarding a message (a share of that message) and sending a message, a
// captioned photo or document, or a sticker into a chat (a post). WhatsApp dropped data-testid in 2023; roles,
// aria-labels, data-icon and data-pre-plain-text remain. Each entry cites the public source that reads the same
// markup (audit: ../shared/research/site-markup-sources-2026.md §7; per-row verdicts in docs/sites/whatsapp.md).
"use strict";

(() => {
  // The send button's icon through its redesigns: data-icon="send" (before 2025), "wds-ic-send-filled"
  // (landifrancesco/Whatsapp-Automator driver.py a2107e7 2025-08-24; Matt-Fontes/SendScriptWhatsApp PR #130
  // 2026-05-10 "identified in the latest version"), "wa-wds-send" (archive 70887283525, 2026-10-06, unverified).
  const sendIcons = "[data-icon='send'], [data-icon='wds-ic-send-filled'], [data-icon='wa-wds-send']";
  // The send button itself: <button aria-label="Send"> (Whatsapp-Automator 2025-08-24), then a <div
  // aria-label="Send"> with no role (SendScriptWhatsApp PR #114, 2025-10-16), then <div role="button"
  // aria-label="Send"> around the wds icon (Whatsapp-Automator media send; PR #120 2025-12-19 and #135
  // 2026-07-29 report further renames). Matched by label, or by icon where the label is missing.
  const sendButton = (scope = "") => [
    { selector: `${scope} :is(button, [role='button'], [aria-label])`.trim(), labels: ["Kirim", "Send"] },
    { selector: `${scope} :is(button, [role='button'], [aria-label]):has(${sendIcons})`.trim() },
  ];

  Netral.defineSite({
    platform: "whatsapp",
    table: {
      post: {
        // Each message of the open chat (archive 58627440552 messageRow "#main [role='row']"; archive 63105272466).
        container: "#main [role='row']",
        // <div class="copyable-text" data-pre-plain-text="[10.02, 12/1/2024] Budi Santoso: "> (≥6 archive files,
        // e.g. 71489606451 "[10:30, 28/09/2026] Contato: ").
        meta: "[data-pre-plain-text]",
        // <span class="selectable-text copyable-text"> (archive 63105272466 'span.selectable-text').
        text: "span.selectable-text",
        // A media message's caption, or a document's file name: no source found (audit row 4); kept.
        caption: "[data-testid='media-caption'] span, span[title]",
        // The open chat's name is the first line of the header's text: the only [title] in the header is the
        // "Profile details" button label (archive 58627440552, "verified live"; audit row 5, the [title]
        // alternative was stale and is dropped).
        chatTitle: "#main header",
      },
      controls: {
        share: [
          // The message menu (<span data-icon="down-context">) opens items '[role="application"] [role="button"]',
          // '[role="menu"] li' (archive 58627440552 menuItem, marked unverified there); the labels have no source.
          { selector: "li[role='button'], [role='button'], [role='menuitem']", within: "[role='application'], [role='menu']",
            labels: ["Teruskan", "Forward"], scope: "last" },
          // The quick forward button beside media messages: no source found (audit row 7); kept.
          { labels: ["Teruskan media", "Forward media"] },
          // The "Teruskan pesan ke" | "Forward message to" dialog's send button: no source found (audit row 8); it is
          // matched like the chat's send button, inside the dialog.
          ...sendButton("[role='dialog']").map((rule) => ({ ...rule, scope: "last" })),
          ...sendButton("[data-animate-modal-popup='true']").map((rule) => ({ ...rule, scope: "last" })),
        ],
        post: [
          // The sticker panel: each sticker a <div role="button"> (or gridcell) around <img alt src>; a click
          // sends it at once. No source found (audit row 9); kept.
          { selector: "#expressions-panel-container [role='button']:has(img), #expressions-panel-container [role='gridcell']:has(img)",
            scope: "none" },
        ],
      },
      composers: {
        chat: {
          // div.lexical-rich-text-input div[role="textbox"][contenteditable="true"][data-tab="10"] (Whatsapp-Automator
          // 2025-08-24); '#main footer div[contenteditable="true"][role="textbox"]' (archive 58627440552: "data-tab
          // has been the stable discriminator … for years").
          textbox: "footer [contenteditable='true'][role='textbox'], footer div[contenteditable='true'][data-tab='10']",
          // Enter sends, Shift+Enter is a new line (rafatosta/zapzap PR #834, 2026-08-02).
          submitKeys: ["Enter"],
          submit: sendButton("footer"),
        },
        caption: {
          // A pasted, dropped or attached photo or document opens the media editor, an overlay outside the footer
          // with its own caption box (audit row 13, missing): //div[@class='x1hx0egp …']//p[@class='selectable-text
          // copyable-text …'] (Whatsapp-Automator "text box, send message with media (after CTRL+V)"). The box is
          // the Lexical editor around that paragraph; its aria-label has no source.
          textbox: "[contenteditable='true']:not(footer *):has(> p.selectable-text.copyable-text), " +
            "[contenteditable='true'][role='textbox'][aria-label='Tambahkan keterangan' i], " +
            "[contenteditable='true'][role='textbox'][aria-label='Add a caption' i]",
          // Enter sends the media (Whatsapp-Automator presses RETURN in the caption box after the attach).
          submitKeys: ["Enter"],
          // //div[@role='button' and @aria-label='Send']//span[@data-icon='wds-ic-send-filled'] (Whatsapp-Automator).
          // A send button outside the footer counts only where a caption box shares an ancestor with it.
          submit: sendButton(),
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
        author_name: sender || chatTitle(sel.chatTitle) || null,
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

    // Everything typed into a chat or a caption is a new post, whatever message is on screen.
    composerContext() {
      return { action: "post", postEl: null };
    },
  });

  /** The first line of the chat header's rendered text: the chat's name, above "online" or the member list. */
  function chatTitle(selector) {
    const header = document.querySelector(selector);
    return header ? (header.innerText ?? "").split("\n").map((line) => line.trim()).find(Boolean) ?? "" : "";
  }
})();
