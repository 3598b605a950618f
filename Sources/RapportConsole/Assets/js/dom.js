// The one way views build DOM: h(tag, attrs, ...children). Text always goes in as text nodes,
// never as HTML; event handlers are attached with addEventListener (the CSP forbids inline ones).

const PROPERTIES = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'textContent', 'indeterminate']);

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'innerHTML' || key === 'outerHTML') throw new Error('h(): HTML strings are not allowed');
      if (key.startsWith('on')) {
        if (typeof value !== 'function') throw new Error(`h(): ${key} must be a function`);
        el.addEventListener(key.slice(2).toLowerCase(), value);
      } else if (key === 'class') {
        el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
      } else if (key === 'dataset') {
        Object.assign(el.dataset, value);
      } else if (key === 'ref') {
        value(el);
      } else if (PROPERTIES.has(key)) {
        el[key] = value;
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces every child of `el` with `children`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let nextId = 0;
/** A document-unique id for aria-* wiring. */
export function uid(prefix = 'id') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** True for an error that only means "the request was cancelled". */
export function isAbort(error) {
  return error?.name === 'AbortError';
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element, as `h` makes HTML ones: attributes set as text, children appended (text as text nodes). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) el.setAttribute(key, String(value));
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A decorative icon: an inline SVG of one path, hidden from assistive technology. */
export function svgIcon(viewBox, pathData, className = 'icon') {
  return svg('svg', { viewBox, class: className, 'aria-hidden': 'true', focusable: 'false' }, svg('path', { d: pathData }));
}
