// The Markdown subset notes are written in, read into a small tree and drawn with DOM calls.
//
// Blocks: paragraphs (a blank line between), line breaks (a newline inside a paragraph), headings
// (`#`, `##`, `###`), fenced code blocks (```), bullet lists (`- `, `* `), numbered lists (`1. `),
// block quotes (`> `). Inline: **bold**, *italic* and _italic_, `code`, [text](url) for http,
// https and mailto only (any other link, javascript: or data: included, stays as the text it was
// written as), backslash escapes, and mentions: `@[Name](user:usr_…)` (also department: and queue:)
// become a chip; a hand-typed `@handle` stays text unless the note's `mentions` list says the
// server resolved it. Nothing else: HTML in a note is text, and so is an image's `![alt](url)`.
//
// `parseMarkdown` is pure (no DOM); `renderMarkdown` builds elements with createElement and text
// nodes only, so nothing written in a note is ever read as markup.

const MAX_DEPTH = 8;            // nesting of quotes and of emphasis; deeper is text
const MAX_NAME = 200;           // a mention's name, as the server reads it
const MAX_REFERENCE = 120;
const MAX_LABEL = 1000;         // a link's text; longer is not a link (keeps every scan short)
const MAX_HREF = 2048;
const MENTION_KINDS = new Set(['user', 'department', 'queue']);
const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
const ESCAPABLE = /[\\`*_{}[\]()#+\-.!>@~|<"']/;

const FENCE = /^ *```/;
const HEADING = /^ {0,3}(#{1,3})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const BULLET = /^ {0,3}[-*][ \t]+(.*)$/;
const ORDERED = /^ {0,3}(\d{1,9})\.[ \t]+(.*)$/;
const BLANK = /^[ \t]*$/;

/**
 * The tree of `source`: { type: 'root', children: blocks }. `mentions` (the note's list, each
 * { kind, id, name, text }) turns the hand-typed tokens the server resolved into mention nodes.
 */
export function parseMarkdown(source, { mentions = [] } = {}) {
  const handles = new Map();
  for (const m of Array.isArray(mentions) ? mentions : []) {
    if (m && typeof m.text === 'string' && m.text.startsWith('@') && !m.text.startsWith('@[') && MENTION_KINDS.has(m.kind)) {
      handles.set(m.text.toLowerCase(), m);
    }
  }
  const lines = String(source ?? '').replace(/\r\n?/g, '\n').split('\n');
  return { type: 'root', children: parseBlocks(lines, 0, { handles }) };
}

function parseBlocks(lines, depth, ctx) {
  const blocks = [];
  let paragraph = null;
  const flush = () => {
    if (paragraph) blocks.push({ type: 'paragraph', children: parseInline(paragraph.join('\n'), ctx) });
    paragraph = null;
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (BLANK.test(line)) { flush(); i += 1; continue; }
    if (FENCE.test(line)) {
      flush();
      const body = [];
      i += 1;
      while (i < lines.length && !FENCE.test(lines[i])) { body.push(lines[i]); i += 1; }
      i += 1; // the closing fence (or the end of the text)
      blocks.push({ type: 'code_block', text: body.join('\n') });
      continue;
    }
    let m = HEADING.exec(line);
    if (m) {
      flush();
      blocks.push({ type: 'heading', level: m[1].length, children: parseInline(m[2], ctx) });
      i += 1;
      continue;
    }
    if (QUOTE.test(line) && depth < MAX_DEPTH) {
      flush();
      const inner = [];
      while (i < lines.length && QUOTE.test(lines[i])) { inner.push(lines[i].replace(QUOTE, '')); i += 1; }
      blocks.push({ type: 'quote', children: parseBlocks(inner, depth + 1, ctx) });
      continue;
    }
    if (BULLET.test(line) || ORDERED.test(line)) {
      flush();
      i = parseList(lines, i, ctx, blocks);
      continue;
    }
    (paragraph ??= []).push(line);
    i += 1;
  }
  flush();
  return blocks;
}

/** A list starting at line `i`; appends it to `blocks` and returns the line after it. */
function parseList(lines, i, ctx, blocks) {
  const ordered = !BULLET.test(lines[i]);
  const pattern = ordered ? ORDERED : BULLET;
  const start = ordered ? Number(ORDERED.exec(lines[i])[1]) : 1;
  const items = [];
  let current = null;
  while (i < lines.length) {
    const line = lines[i];
    const item = pattern.exec(line);
    if (item) {
      current = [ordered ? item[2] : item[1]];
      items.push(current);
      i += 1;
      continue;
    }
    if (BLANK.test(line)) {
      // A blank line between two items keeps the list going; anything else ends it.
      let next = i + 1;
      while (next < lines.length && BLANK.test(lines[next])) next += 1;
      if (next < lines.length && pattern.test(lines[next])) { i = next; continue; }
      break;
    }
    // Another kind of block ends the list; other lines continue the item they follow.
    if (FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || (ordered ? BULLET : ORDERED).test(line)) break;
    current.push(line.trim());
    i += 1;
  }
  blocks.push({ type: 'list', ordered, start, items: items.map((item) => parseInline(item.join('\n'), ctx)) });
  return i;
}

/** Inline nodes of `text`. `inLink`: inside a link's text (no links, no mentions there). */
function parseInline(text, ctx, depth = 0, inLink = false) {
  const out = [];
  let buffer = '';
  const flushText = () => {
    if (buffer) out.push({ type: 'text', text: buffer });
    buffer = '';
  };
  // Where a search for a closing delimiter found none: a later opener of the same kind finds none
  // either, so long runs of unmatched `*` stay linear.
  const noCloser = {};
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && ESCAPABLE.test(text[i + 1])) {
      buffer += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      flushText();
      out.push({ type: 'break' });
      i += 1;
      continue;
    }
    if (c === '`') {
      let run = 1;
      while (text[i + run] === '`') run += 1;
      const close = noCloser[`\`${run}`] !== undefined && i >= noCloser[`\`${run}`] ? -1 : findBacktickRun(text, i + run, run);
      if (close < 0) {
        noCloser[`\`${run}`] ??= i;
        buffer += text.slice(i, i + run);
        i += run;
        continue;
      }
      flushText();
      out.push({ type: 'code', text: text.slice(i + run, close) });
      i = close + run;
      continue;
    }
    if (c === '@' && !inLink && startsMention(text[i - 1])) {
      const explicit = readExplicitMention(text, i);
      if (explicit) {
        flushText();
        out.push(explicit.node);
        i = explicit.end;
        continue;
      }
      const handle = readHandle(text, i);
      if (handle) {
        const mention = ctx.handles.get(handle.text.toLowerCase());
        if (mention) {
          flushText();
          out.push({ type: 'mention', kind: mention.kind, id: String(mention.id ?? ''), name: String(mention.name ?? handle.text.slice(1)), text: handle.text });
        } else {
          buffer += handle.text;
        }
        i = handle.end;
        continue;
      }
    }
    if (c === '!' && text[i + 1] === '[') {
      // An image (not in the subset) stays as written, its address never a link.
      const image = readLink(text, i + 1);
      if (image) {
        buffer += text.slice(i, image.end);
        i = image.end;
        continue;
      }
    }
    if (c === '[' && !inLink) {
      const link = readLink(text, i);
      if (link) {
        const href = safeHref(link.href);
        if (href && depth < MAX_DEPTH) {
          flushText();
          out.push({ type: 'link', href, children: parseInline(link.label, ctx, depth + 1, true) });
        } else {
          buffer += text.slice(i, link.end); // shown as written
        }
        i = link.end;
        continue;
      }
    }
    if ((c === '*' || c === '_') && depth < MAX_DEPTH) {
      const emphasis = readEmphasis(text, i, noCloser);
      if (emphasis) {
        flushText();
        out.push({ type: emphasis.strong ? 'strong' : 'em', children: parseInline(emphasis.inner, ctx, depth + 1, inLink) });
        i = emphasis.end;
        continue;
      }
      // An unmatched run is text, taken whole (so `**` never half-opens an italic).
      let run = 1;
      while (text[i + run] === c) run += 1;
      buffer += text.slice(i, i + run);
      i += run;
      continue;
    }
    buffer += c;
    i += 1;
  }
  flushText();
  return out;
}

/** The index of `character` in `text` at or after `from` and before `from + limit`, or -1. */
function boundedIndexOf(text, character, from, limit) {
  const end = Math.min(text.length, from + limit);
  for (let j = from; j < end; j += 1) if (text[j] === character) return j;
  return -1;
}

function findBacktickRun(text, from, run) {
  let at = from;
  while (at < text.length) {
    const next = text.indexOf('`', at);
    if (next < 0) return -1;
    let length = 1;
    while (text[next + length] === '`') length += 1;
    if (length === run) return next;
    at = next + length;
  }
  return -1;
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
const HANDLE_CHARACTER = /[\p{L}\p{N}._-]/u;

/** As the server reads mentions: at the start, or after a character that is not part of a word or an address. */
function startsMention(previous) {
  if (previous === undefined) return true;
  return !(LETTER_OR_NUMBER.test(previous) || previous === '_' || previous === '@' || previous === '.' || previous === '-');
}

/** `@[name](kind:id)` at `start`: { node, end } or null. */
function readExplicitMention(text, start) {
  if (text[start + 1] !== '[') return null;
  const close = boundedIndexOf(text, ']', start + 2, MAX_NAME + 1);
  if (close < 0 || text[close + 1] !== '(') return null;
  const end = boundedIndexOf(text, ')', close + 2, MAX_REFERENCE);
  if (end < 0) return null;
  const name = text.slice(start + 2, close).trim();
  const reference = text.slice(close + 2, end);
  const colon = reference.indexOf(':');
  if (!name || name.includes('\n') || colon < 0) return null;
  const kind = reference.slice(0, colon);
  const id = reference.slice(colon + 1);
  if (!MENTION_KINDS.has(kind) || !/^[A-Za-z0-9_]+$/.test(id)) return null;
  return { node: { type: 'mention', kind, id, name, text: text.slice(start, end + 1) }, end: end + 1 };
}

/** `@handle` at `start`, without a trailing `.`, `-` or `_`: { text, end } or null. */
function readHandle(text, start) {
  let end = start + 1;
  while (end < text.length && HANDLE_CHARACTER.test(text[end])) end += 1;
  while (end > start + 1 && '.-_'.includes(text[end - 1])) end -= 1;
  if (end === start + 1) return null;
  return { text: text.slice(start, end), end };
}

/** `[label](href)` at `start`: { label, href, end } or null. The href has no spaces; parentheses in it must balance. */
function readLink(text, start) {
  let depth = 0;
  let close = -1;
  const labelEnd = Math.min(text.length, start + 1 + MAX_LABEL);
  for (let j = start + 1; j < labelEnd; j += 1) {
    const c = text[j];
    if (c === '\\') { j += 1; continue; }
    if (c === '[') depth += 1;
    else if (c === ']') {
      if (depth === 0) { close = j; break; }
      depth -= 1;
    }
  }
  if (close < 0 || text[close + 1] !== '(') return null;
  let parens = 0;
  const hrefEnd = Math.min(text.length, close + 2 + MAX_HREF);
  for (let j = close + 2; j < hrefEnd; j += 1) {
    const c = text[j];
    if (/\s/.test(c)) return null;
    if (c === '(') parens += 1;
    else if (c === ')') {
      if (parens === 0) return { label: text.slice(start + 1, close), href: text.slice(close + 2, j), end: j + 1 };
      parens -= 1;
    }
  }
  return null;
}

/** The link's address when it is http, https or mailto (as URL gives it), else null. */
export function safeHref(raw) {
  const value = String(raw ?? '');
  if (!/^(?:https?:\/\/|mailto:)/i.test(value)) return null;
  let url;
  try { url = new URL(value); } catch { return null; }
  return LINK_SCHEMES.has(url.protocol) ? url.href : null;
}

/** `**strong**`, `*em*` or `_em_` at `i`: { strong, inner, end } or null. */
function readEmphasis(text, i, noCloser) {
  const c = text[i];
  const strong = text[i + 1] === c;
  const width = strong ? 2 : 1;
  const first = text[i + width];
  if (first === undefined || /\s/.test(first)) return null;
  if (c === '_' && i > 0 && LETTER_OR_NUMBER.test(text[i - 1])) return null; // snake_case stays text
  const key = `${c}${width}`;
  if (noCloser[key] !== undefined && i >= noCloser[key]) return null;
  const marker = c.repeat(width);
  let from = i + width + 1;
  while (from <= text.length) {
    let j = text.indexOf(marker, from);
    if (j < 0) break;
    if (text[j - 1] === '\\') { from = j + 1; continue; } // an escaped marker is text
    if (strong) {
      // `***a***`: the closing pair is the run's last two, so the inner `*` closes the italic inside.
      while (text[j + 2] === c) j += 1;
    } else if (text[j + 1] === c || text[j - 1] === c) {
      // Part of a `**` run: not a single closer. Step past the run.
      let end = j;
      while (text[end] === c) end += 1;
      from = end;
      continue;
    }
    const before = text[j - 1];
    const after = text[j + width];
    const closes = !/\s/.test(before) && (c !== '_' || after === undefined || !LETTER_OR_NUMBER.test(after));
    if (closes) return { strong, inner: text.slice(i + width, j), end: j + width };
    from = j + 1;
  }
  noCloser[key] = Math.min(noCloser[key] ?? Infinity, i);
  return null;
}

// --------------------------------------------------------------------------------------------- //

/**
 * A `div.markdown` with `source` drawn: elements and text nodes only. `mentions`: as for
 * parseMarkdown. `headingBase`: the HTML level a `#` heading becomes (default 3, inside a card).
 */
export function renderMarkdown(source, { mentions = [], headingBase = 3, className = 'markdown' } = {}) {
  const tree = typeof source === 'object' && source?.type === 'root' ? source : parseMarkdown(source, { mentions });
  const root = document.createElement('div');
  root.className = className;
  for (const block of tree.children) root.append(renderBlock(block, headingBase));
  return root;
}

function renderBlock(block, headingBase) {
  switch (block.type) {
    case 'heading': {
      const level = Math.min(6, headingBase + block.level - 1);
      return element(`h${level}`, `md-heading md-h${block.level}`, renderInlines(block.children));
    }
    case 'code_block': {
      const pre = element('pre', 'md-pre');
      const code = document.createElement('code');
      code.textContent = block.text;
      pre.append(code);
      return pre;
    }
    case 'list': {
      const list = element(block.ordered ? 'ol' : 'ul', 'md-list');
      if (block.ordered && block.start !== 1) list.setAttribute('start', String(block.start));
      for (const item of block.items) list.append(element('li', null, renderInlines(item)));
      return list;
    }
    case 'quote': {
      const quote = element('blockquote', 'md-quote');
      for (const child of block.children) quote.append(renderBlock(child, headingBase));
      return quote;
    }
    default:
      return element('p', null, renderInlines(block.children ?? []));
  }
}

function renderInlines(nodes) {
  const out = [];
  for (const node of nodes) {
    switch (node.type) {
      case 'text': out.push(document.createTextNode(node.text)); break;
      case 'break': out.push(document.createElement('br')); break;
      case 'strong': out.push(element('strong', null, renderInlines(node.children))); break;
      case 'em': out.push(element('em', null, renderInlines(node.children))); break;
      case 'code': {
        const code = document.createElement('code');
        code.textContent = node.text;
        out.push(code);
        break;
      }
      case 'link': {
        const a = element('a', null, renderInlines(node.children));
        a.setAttribute('href', node.href);
        a.setAttribute('rel', 'noopener noreferrer nofollow');
        a.setAttribute('target', '_blank');
        out.push(a);
        break;
      }
      case 'mention': out.push(mentionChip(node)); break;
      default: break;
    }
  }
  return out;
}

/** The chip of a mention: `@Name`, its kind and id as data attributes. */
export function mentionChip({ kind, id, name }) {
  const chip = element('span', `mention mention-${kind}`);
  chip.dataset.kind = kind;
  if (id) chip.dataset.id = id;
  chip.textContent = `@${name}`;
  return chip;
}

function element(tag, className, children = []) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const child of children) el.append(child);
  return el;
}
