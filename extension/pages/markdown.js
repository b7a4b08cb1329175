// A tiny Markdown renderer for the pact text of a rules bundle: headings, paragraphs, lists, bold and
// italics, built as DOM nodes with text content only, so nothing in a bundle can become markup or script.

// Every step is linear in the text: no regular expression here can backtrack over a run of spaces or
// asterisks (a heading with thousands of inner spaces once took 35 s), and an emphasis opener is paired
// with the next possible closer, found by a pointer that only moves forward.
const ORDERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const UNORDERED = /^\s*[-*+]\s+(.*)$/;
const WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/;
const MAX_NESTING = 4; // emphasis deeper than this is shown as text

/** A heading line (`#`–`######`, a space, the text, optional closing #s) as [level, text], or null. */
function heading(line) {
  let level = 0;
  while (level < line.length && line[level] === "#") level += 1;
  if (level === 0 || level > 6 || !SPACE.test(line[level] ?? "")) return null;
  let text = line.slice(level).trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === "#") end -= 1;
  if (end === 0 || SPACE.test(text[end - 1])) text = text.slice(0, end).trimEnd();
  return [level, text];
}

/** Positions where each kind of emphasis may close, in increasing order. */
function closers(text) {
  const found = { "**": [], __: [], "*": [], _: [] };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c !== "*" && c !== "_") continue;
    const before = text[i - 1] ?? " ";
    const after = text[i + 1] ?? " ";
    if (after === c) found[c + c].push(i);
    else if (before !== c && !SPACE.test(before) && (c === "*" || !WORD.test(after))) found[c].push(i);
  }
  return found;
}

/** Appends `text` to `parent` with **bold** / __bold__ as <strong> and *italic* / _italic_ as <em>. */
function appendInline(parent, text, depth = 0) {
  if (depth >= MAX_NESTING || (!text.includes("*") && !text.includes("_"))) {
    parent.append(text);
    return;
  }
  const ends = closers(text);
  const next = { "**": 0, __: 0, "*": 0, _: 0 }; // forward-only pointers into `ends`
  const closerAfter = (kind, from) => {
    const list = ends[kind];
    while (next[kind] < list.length && list[next[kind]] < from) next[kind] += 1;
    return next[kind] < list.length ? list[next[kind]] : -1;
  };
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "*" || c === "_") {
      const after = text[i + 1] ?? " ";
      const opensWord = c === "*" || !WORD.test(text[i - 1] ?? " ");
      let kind = null;
      let close = -1;
      if (after === c && opensWord && !SPACE.test(text[i + 2] ?? " ")) {
        kind = c + c;
        close = closerAfter(kind, i + 3); // at least one character inside
      }
      if (close < 0 && after !== c && opensWord && !SPACE.test(after)) {
        kind = c;
        close = closerAfter(kind, i + 1);
      }
      if (close >= 0) {
        if (i > last) parent.append(text.slice(last, i));
        const node = document.createElement(kind.length === 2 ? "strong" : "em");
        appendInline(node, text.slice(i + kind.length, close), depth + 1);
        parent.append(node);
        i = close + kind.length;
        last = i;
        continue;
      }
    }
    i += 1;
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
    const title = heading(line);
    if (title) {
      flush();
      const h = document.createElement(`h${Math.min(6, title[0] + headingOffset)}`);
      appendInline(h, title[1]);
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
