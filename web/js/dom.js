// Building the page from API data without ever parsing API text as HTML.
//
// Everything the API returns is put into the page as text nodes and attribute values (h() below), with two
// exceptions, both parsed in an inert document and rebuilt from an allow-list here:
//  - search highlights: HTML-escaped text with <mark> around matches (highlighted());
//  - the article body: HTML the pipeline sanitised with nh3 at ingest (sanitisedBody()).
// The page's Content-Security-Policy (script-src 'self') is the second line of defence: even markup that
// slipped through could not run a script.

const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);

/** An absolute http(s)/mailto URL, or null for anything else (javascript:, data:, garbage). */
export function safeUrl(value) {
  if (typeof value !== "string" || value === "") return null;
  try {
    const url = new URL(value, window.location.origin);
    return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** True for the site's own links ("/", "/?article=…"), which the app builds itself. */
function isInternal(value) {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//");
}

/** h("a", {href: "/?x", class: "c"}, "text", child) — attributes and children are never parsed as HTML. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") {
      el.className = value;
    } else if (name.startsWith("on")) {
      if (typeof value === "function") el.addEventListener(name.slice(2), value); // never a handler string
    } else if (name === "href" || name === "src") {
      const url = isInternal(value) ? value : safeUrl(value);
      if (url !== null) el.setAttribute(name, url);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** A search snippet ("HTML-escaped text, <mark>matches</mark>") as text nodes and <mark> elements. */
export function highlighted(snippet) {
  const fragment = document.createDocumentFragment();
  let marking = false;
  for (const part of String(snippet).split(/(<\/?mark>)/i)) {
    const tag = part.toLowerCase();
    if (tag === "<mark>" || tag === "</mark>") {
      marking = tag === "<mark>";
      continue;
    }
    if (part === "") continue;
    const text = decodeEntities(part);
    fragment.append(marking ? h("mark", {}, text) : text);
  }
  return fragment;
}

// The same allow-list as the ingest sanitiser (functions/newsflow/normalise/html.py), minus "style"-like
// risks it already refuses. h1 becomes h2: the page's own title is the only h1.
const BODY_TAGS = new Set([
  "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn", "div", "dl", "dt", "em",
  "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
  "pre", "q", "s", "samp", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
  "tr", "u", "ul",
]);
const BODY_ATTRIBUTES = {
  "*": ["lang", "dir"],
  a: ["href", "title", "hreflang"],
  img: ["src", "alt", "title", "width", "height"],
  td: ["colspan", "rowspan"],
  th: ["colspan", "rowspan", "scope"],
  time: ["datetime"],
  blockquote: ["cite"],
  q: ["cite"],
  del: ["cite", "datetime"],
  ins: ["cite", "datetime"],
  ol: ["start", "reversed"],
  abbr: ["title"],
};
const URL_ATTRIBUTES = new Set(["href", "src", "cite"]);
const DROPPED = new Set(["script", "style", "template", "iframe", "object", "embed", "svg", "math", "form", "noscript"]);

function cleanNode(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.data);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  let tag = node.localName;
  if (DROPPED.has(tag)) return null;
  if (tag === "h1") tag = "h2";
  const children = Array.from(node.childNodes, cleanNode).filter(Boolean);
  if (!BODY_TAGS.has(tag)) {
    const fragment = document.createDocumentFragment();
    fragment.append(...children);
    return fragment; // an unknown wrapper: keep its content, drop the element
  }
  const el = document.createElement(tag);
  for (const name of [...(BODY_ATTRIBUTES["*"] || []), ...(BODY_ATTRIBUTES[tag] || [])]) {
    const value = node.getAttribute(name);
    if (value === null) continue;
    if (URL_ATTRIBUTES.has(name)) {
      const url = safeUrl(value);
      if (url !== null) el.setAttribute(name, url);
    } else {
      el.setAttribute(name, value);
    }
  }
  if (tag === "a") el.setAttribute("rel", "noopener noreferrer nofollow");
  if (tag === "img") {
    if (!el.hasAttribute("src")) return null;
    if (!el.hasAttribute("alt")) el.setAttribute("alt", "");
    el.setAttribute("loading", "lazy");
    el.setAttribute("referrerpolicy", "no-referrer");
    el.addEventListener("error", () => el.remove());
  }
  el.append(...children);
  return el;
}

/** The article's sanitised body HTML, parsed inertly (no scripts run, nothing loads) and rebuilt. */
export function sanitisedBody(html) {
  const parsed = new DOMParser().parseFromString(String(html || ""), "text/html");
  const fragment = document.createDocumentFragment();
  for (const node of Array.from(parsed.body.childNodes)) {
    const clean = cleanNode(node);
    if (clean) fragment.append(clean);
  }
  return fragment;
}
