// Blocks shared by every page: links, article cards, the header's sections and What's Hot, the sidebar.
import { append, clear, h, highlighted } from "./dom.js";
import { day, monthName, plural, readingTime } from "./format.js";

function withQuery(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
  }
  return `/?${search.toString()}`;
}

export const href = {
  home: (cursor, page) => (cursor ? withQuery({ cursor, page }) : "/"),
  article: (id) => withQuery({ article: id }),
  section: (slug, cursor, page) => withQuery({ section: slug, cursor, page }),
  archive: (month, cursor, page) => withQuery({ archive: month, cursor, page }),
  search: (params) => `/?${new URLSearchParams({ q: "", ...dropEmpty(params) }).toString()}`,
};

function dropEmpty(params) {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""));
}

export function dateTime(iso) {
  return iso ? h("time", { datetime: iso }, day(iso)) : null;
}

function thumbnail(article) {
  if (!article.imageUrl) return null;
  // Decorative next to the linked title (alt=""); removed when the source's server does not answer.
  const img = h("img", {
    src: article.imageUrl, alt: "", loading: "lazy", referrerpolicy: "no-referrer", width: 480, height: 270,
  });
  if (!img.hasAttribute("src")) return null;
  img.addEventListener("error", () => img.closest(".card-media")?.remove());
  return h("div", { class: "card-media" }, img);
}

export function categoryLabel(category) {
  if (!category || !category.slug || category.slug === "general") return null;
  return h("a", { class: "label", href: href.section(category.slug) }, category.name || category.slug);
}

/** An article card: title (linked), category, date, source, reading time, description or highlights. */
export function card(article, { level = 3, lead = false } = {}) {
  const marks = article.highlights || {};
  const title = marks.title ? highlighted(marks.title) : article.title;
  const snippet = marks.description || marks.content;
  const also = article.alsoFrom && article.alsoFrom.length
    ? h("p", { class: "also" }, `Also reported by ${article.alsoFrom.join(", ")}`)
    : null;
  return h(
    "article",
    { class: lead ? "card card-lead" : "card", "data-article-id": article.id },
    thumbnail(article),
    h(
      "div",
      { class: "card-body" },
      categoryLabel(article.category),
      h(`h${level}`, { class: "card-title" }, h("a", { href: href.article(article.id) }, title)),
      h(
        "p",
        { class: "meta" },
        dateTime(article.publishedAt),
        article.sourceName ? h("span", {}, article.sourceName) : null,
        h("span", {}, readingTime(article.readingTimeMinutes)),
      ),
      snippet
        ? h("p", { class: "snippet" }, highlighted(snippet))
        : article.description
          ? h("p", { class: "snippet" }, article.description)
          : null,
      also,
    ),
  );
}

export function cardList(articles, options) {
  return h("div", { class: "cards" }, articles.map((a) => card(a, options)));
}

/** "Older posts" with the API's keyset cursor, and a way back to the first page. */
export function pager(label, nextCursor, page, hrefFor) {
  const links = [];
  if (page > 1) links.push(h("a", { href: hrefFor(null, null), rel: "start" }, "← Newest"));
  if (nextCursor) links.push(h("a", { href: hrefFor(nextCursor, page + 1), rel: "next" }, "Older posts →"));
  if (!links.length) return null;
  return h("nav", { class: "pager", "aria-label": label }, h("span", { class: "page-number" }, `Page ${page}`), links);
}

export function emptyState(text) {
  return h("p", { class: "empty" }, text);
}

// ---------------------------------------------------------------------------------------------- chrome
// The site-wide blocks, drawn from the `site` part of whichever page answer the router got (no request of
// their own).

export function renderSections(list, categories, current) {
  clear(list);
  append(
    list,
    h("li", {}, h("a", { href: "/", "aria-current": current === "home" ? "page" : null }, "Home")),
    categories.map((c) =>
      h("li", {}, h("a", { href: href.section(c.slug), "aria-current": current === c.slug ? "page" : null }, c.name)),
    ),
  );
}

export function markCurrentSection(list, current) {
  for (const link of list.querySelectorAll("a")) {
    const target = new URL(link.href).searchParams.get("section") || (link.getAttribute("href") === "/" ? "home" : "");
    if (target === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** How many publishers carry it: its own source and `alsoFrom` (the story's others, and syndication). */
function carriers(article) {
  return Math.max(article.sourceCount || 1, 1 + (article.alsoFrom ? article.alsoFrom.length : 0));
}

/** What's Hot (the API's: the last 24 h, or the last 7 days when the day ranks fewer than three); with
 * neither, the newest stories, said so. */
export function renderHot(list, hot, latest) {
  clear(list);
  const section = list.closest("section");
  section.querySelector(".hot-note")?.remove();
  let articles = ((hot && hot.articles) || []).slice(0, 3);
  if (!articles.length) {
    articles = (latest || []).slice(0, 3);
    section.querySelector("h2").after(h("p", { class: "hot-note" }, "Nothing trending this week: the newest stories"));
  }
  append(
    list,
    articles.map((a) =>
      h(
        "li",
        {},
        h("a", { href: href.article(a.id) }, a.title),
        carriers(a) > 1 ? h("span", { class: "hot-count" }, plural(carriers(a), "source", "sources")) : null,
      ),
    ),
  );
}

export function renderLatest(list, articles) {
  clear(list);
  append(
    list,
    articles.map((a) => h("li", {}, h("a", { href: href.article(a.id) }, a.title), dateTime(a.publishedAt))),
  );
}

function articleCount(n) {
  return h("span", { class: "count" }, String(n), h("span", { class: "visually-hidden" }, n === 1 ? " article" : " articles"));
}

export function renderArchives(list, months) {
  clear(list);
  append(
    list,
    months.map((m) =>
      h("li", {}, h("a", { href: href.archive(m.month) }, monthName(m.month)), articleCount(m.articleCount)),
    ),
  );
}

export function renderCategories(list, categories) {
  clear(list);
  append(
    list,
    categories
      .filter((c) => c.articleCount > 0)
      .map((c) =>
        h("li", {}, h("a", { href: href.section(c.slug) }, c.name), articleCount(c.articleCount)),
      ),
  );
}
