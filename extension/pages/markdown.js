// A tiny Markdown renderer for the pact text of a rules bundle: headings, paragraphs, lists, bold and
// italics, built as DOM nodes with text content only, so nothing in a bundle can become markup or script.

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const ORDERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const UNORDERED = /^\s*[-*+]\s+(.*)$/;
// **bold** / __bold__ first, then *italic* / _italic_ (not inside words for underscores).
const INLINE = /\*\*(.+?)\*\*|__(.+?)__|\*([^*\s](?:[^*]*[^*\s])?)\*|(?<![\p{L}\p{N}])_([^_\s](?:[^_]*[^_\s])?)_(?![\p{L}\p{N}])/gu;

/** Appends `text` to `parent` with **bold** and *italic* spans as <strong> / <em>. */
function appendInline(parent, text) {
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parent.append(text.slice(last, match.index));
    const bold = match[1] ?? match[2];
    const node = document.createElement(bold !== undefined ? "strong" : "em");
    appendInline(node, bold ?? match[3] ?? match[4]);
    parent.append(node);
    last = match.index + match[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

/**
 * The Markdown `text` as a DocumentFragment. `headingOffset` shifts heading levels (# becomes <h2> with 1),
 * so the text sits under the page's own <h1>.
 */
export function renderMarkdown(text, { headingOffset = 1 } = {}) {
  const fragment = document.createDocumentFragment();
  let paragraph = null; // lines of the open paragraph
  let list = null; // the open <ol>/<ul>
  let item = null; // lines of the open list item

  const flushItem = () => {
    if (item) {
      const li = document.createElement("li");
      appendInline(li, item.join(" "));
      list.append(li);
      item = null;
    }
  };
  const flush = () => {
    if (paragraph) {
      const p = document.createElement("p");
      appendInline(p, paragraph.join(" "));
      fragment.append(p);
      paragraph = null;
    }
    flushItem();
    if (list) fragment.append(list);
    list = null;
  };

  for (const rawLine of String(text ?? "").replace(/\r\n?/g, "\n").split("\n")) {
    const line = rawLine.trimEnd();
    if (!line.trim()) {
      flush();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const h = document.createElement(`h${Math.min(6, heading[1].length + headingOffset)}`);
      appendInline(h, heading[2]);
      fragment.append(h);
      continue;
    }
    const ordered = ORDERED.exec(line);
    const unordered = ordered ? null : UNORDERED.exec(line);
    if (ordered || unordered) {
      const tag = ordered ? "OL" : "UL";
      if (paragraph || (list && list.tagName !== tag)) flush();
      flushItem();
      if (!list) {
        list = document.createElement(tag.toLowerCase());
        if (ordered && Number(ordered[1]) !== 1) list.start = Number(ordered[1]);
      }
      item = [(ordered ? ordered[2] : unordered[1]).trim()];
      continue;
    }
    if (item && /^\s/.test(line)) {
      item.push(line.trim()); // an indented continuation of the list item
      continue;
    }
    if (list) flush();
    (paragraph ??= []).push(line.trim());
  }
  flush();
  return fragment;
}
