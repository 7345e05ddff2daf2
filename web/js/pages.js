// One renderer per page type. Each returns {title, current, content} for the router to show.
import { api, ApiError, ARTICLE_ID, MONTH, SLUG } from "./api.js";
import {
  card, cardList, categoryLabel, dateTime, emptyState, href, pager,
} from "./blocks.js";
import { h, sanitisedBody } from "./dom.js";
import { monthName, monthRange, plural, readingTime } from "./format.js";

const SECTION_PAGE = 6;
const HOME_PAGE = 7;
const SEARCH_PAGE = 10;
const FACETS = "category,source,month";

function pageNumber(params) {
  const n = Number.parseInt(params.get("page") || "1", 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

function breadcrumb(...items) {
  return h(
    "nav",
    { class: "breadcrumb", "aria-label": "Breadcrumb" },
    h(
      "ol",
      {},
      items.map(([label, link], i) =>
        h(
          "li",
          {},
          i === items.length - 1
            ? h("span", { "aria-current": "page" }, label)
            : link
              ? h("a", { href: link }, label)
              : h("span", {}, label),
        ),
      ),
    ),
  );
}

function pageHeading(text, extra) {
  return h("header", { class: "page-heading" }, h("h1", { tabindex: "-1" }, text), extra || null);
}

export function notFound(message) {
  return {
    title: "Not found",
    current: null,
    content: h(
      "div",
      { class: "not-found" },
      pageHeading("Not found"),
      h("p", {}, message),
      h("p", {}, h("a", { href: "/" }, "Back to the front page")),
    ),
  };
}

// ------------------------------------------------------------------------------------------------ home

export async function home(params) {
  const page = pageNumber(params);
  const { site, articles: body } = await api.home(HOME_PAGE, params.get("cursor"));
  const [lead, ...rest] = page === 1 ? body.articles : [null, ...body.articles];
  return {
    title: page === 1 ? null : `Latest posts, page ${page}`,
    current: "home",
    site,
    content: h(
      "div",
      { class: "home" },
      pageHeading(page === 1 ? "Top stories" : `Latest posts, page ${page}`),
      lead ? h("div", { class: "lead-story", "data-block": "lead" }, card(lead, { level: 2, lead: true })) : null,
      h(
        "section",
        { "aria-labelledby": "home-latest", "data-block": "home-latest" },
        h("h2", { id: "home-latest" }, "More stories"),
        rest.length ? cardList(rest) : emptyState("No articles yet."),
      ),
      pager("More posts", body.nextCursor, page, (cursor, n) => href.home(cursor, n)),
    ),
  };
}

/** A page answer's 400/404 (an unknown section or article) is the site's "not found"; anything else fails. */
async function orNotFound(request, message) {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return notFound(message);
    throw error;
  }
}

// --------------------------------------------------------------------------------------------- section

export async function section(slug, params) {
  if (!SLUG.test(slug)) return notFound("There is no such section.");
  const page = pageNumber(params);
  const answer = await orNotFound(api.section(slug, SECTION_PAGE, params.get("cursor")), "There is no such section.");
  if (!answer.site) return answer;
  const { site, articles: body } = answer;
  const category = site.categories.find((c) => c.slug === slug) || { ...answer.category, articleCount: 0 };
  const count = h("p", { class: "count-line" }, plural(category.articleCount, "article", "articles"));
  return {
    title: page === 1 ? category.name : `${category.name}, page ${page}`,
    current: slug,
    site,
    content: h(
      "div",
      { class: "section-page", "data-page": "section" },
      breadcrumb(["Home", "/"], [category.name, null]),
      pageHeading(category.name, count),
      body.articles.length ? cardList(body.articles, { level: 2 }) : emptyState("No articles in this section yet."),
      pager(`${category.name} pages`, body.nextCursor, page, (cursor, n) => href.section(slug, cursor, n)),
    ),
  };
}

// --------------------------------------------------------------------------------------------- article

function neighbour(label, rel, item) {
  if (!item) return null;
  return h(
    "a",
    { class: `neighbour neighbour-${rel}`, href: href.article(item.id), rel },
    h("span", { class: "neighbour-label" }, label),
    h("span", { class: "neighbour-title" }, item.title),
  );
}

function sourceBox(article, sourceIds) {
  const source = article.source || {};
  const name = source.name || article.sourceName || source.domain || "the source";
  const homepage = source.homepage;
  return h(
    "section",
    { class: "source-box", "aria-labelledby": "source-heading", "data-block": "source" },
    h("p", { class: "box-label" }, "Published by"),
    h("h2", { id: "source-heading" }, name),
    h(
      "ul",
      { class: "inline-list" },
      homepage ? h("li", {}, h("a", { href: homepage, rel: "noopener noreferrer" }, "Website")) : null,
      source.id ? h("li", {}, h("a", { href: href.search({ source: source.id }) }, `More from ${name}`)) : null,
    ),
    article.alsoFrom && article.alsoFrom.length
      ? h(
          "p",
          { class: "also", "data-block": "also-from" },
          "Also reported by: ",
          article.alsoFrom.map((other, i) => [
            i ? ", " : "",
            sourceIds.has(other) ? h("a", { href: href.search({ source: sourceIds.get(other) }) }, other) : other,
          ]),
        )
      : null,
  );
}

export async function article(id) {
  if (!ARTICLE_ID.test(id)) return notFound("There is no such article.");
  const body = await orNotFound(api.article(id, 3), "There is no such article.");
  if (!body.site) return body;
  const a = body.article;
  const related = body.related || [];
  const sourceIds = new Map(Object.entries(body.alsoFromIds || {}));
  const byline = a.authors && a.authors.length ? a.authors.join(", ") : a.sourceName;
  const category = a.category && a.category.slug !== "general" ? a.category : null;
  const lead = a.imageUrl
    ? h("figure", { class: "lead-image" }, h("img", {
        src: a.imageUrl, alt: `Image for: ${a.title}`, referrerpolicy: "no-referrer", width: 1200, height: 675,
      }))
    : null;
  if (lead) lead.querySelector("img").addEventListener("error", () => lead.remove());
  const sourceUrl = a.url;
  return {
    title: a.title,
    current: category ? category.slug : null,
    site: body.site,
    content: h(
      "article",
      { class: "article-page", "data-page": "article", "data-article-id": a.id, lang: a.language || null },
      breadcrumb(["Home", "/"], ...(category ? [[category.name, href.section(category.slug)]] : []), [a.title, null]),
      categoryLabel(category),
      h("h1", { tabindex: "-1" }, a.title),
      h(
        "p",
        { class: "meta article-meta", "data-block": "byline" },
        byline ? h("span", { class: "author" }, "By ", byline) : null,
        dateTime(a.publishedAt),
        h("span", { class: "reading-time" }, readingTime(a.readingTimeMinutes)),
      ),
      lead,
      h("div", { class: "article-body", "data-block": "body" }, a.contentHtml ? sanitisedBody(a.contentHtml) : a.content),
      sourceUrl
        ? h(
            "p",
            { class: "source-link", "data-block": "source-link" },
            h("a", { href: sourceUrl, rel: "noopener noreferrer" }, "Source link"),
            h("span", { class: "source-domain" }, ` (${a.sourceDomain || a.sourceName || ""})`),
          )
        : null,
      a.tags && a.tags.length
        ? h(
            "ul",
            { class: "tags", "aria-label": "Tags" },
            a.tags.map((t) => h("li", {}, h("a", { href: href.search({ q: `"${t}"` }) }, t))),
          )
        : null,
      h(
        "nav",
        { class: "neighbours", "aria-label": "Previous and next articles", "data-block": "previous-next" },
        neighbour("Previous Article", "prev", a.previous),
        neighbour("Next Article", "next", a.next),
      ),
      sourceBox(a, sourceIds),
      h(
        "section",
        { class: "related", "aria-labelledby": "related-heading", "data-block": "related" },
        h("h2", { id: "related-heading" }, "Related Posts"),
        related.length ? cardList(related) : emptyState("No related posts."),
      ),
    ),
  };
}

// --------------------------------------------------------------------------------------------- archive

export async function archive(month, params) {
  const match = MONTH.exec(month);
  if (!match) return notFound("There is no such month in the archives.");
  const page = pageNumber(params);
  const [from, to] = monthRange(month);
  // The month's articles, newest first: the search page's answer without words (one request, with the blocks)
  const { site, results: body } = await api.search({
    q: "", from, to, sortBy: "publishedAt", pageSize: SECTION_PAGE, cursor: params.get("cursor"),
  });
  const name = monthName(month);
  return {
    title: page === 1 ? `Archives: ${name}` : `Archives: ${name}, page ${page}`,
    current: null,
    site,
    content: h(
      "div",
      { class: "archive-page", "data-page": "archive" },
      breadcrumb(["Home", "/"], ["Archives", null], [name, null]),
      pageHeading(`Archives: ${name}`, h("p", { class: "count-line" }, plural(body.totalResults, "article", "articles"))),
      body.articles.length ? cardList(body.articles, { level: 2 }) : emptyState("No articles in this month."),
      pager(`${name} pages`, body.nextCursor, page, (cursor, n) => href.archive(month, cursor, n)),
    ),
  };
}

// ---------------------------------------------------------------------------------------------- search

function searchState(params) {
  const month = params.get("month");
  const sort = params.get("sort") === "publishedAt" ? "publishedAt" : "relevancy";
  return {
    q: (params.get("q") || "").slice(0, 500),
    category: SLUG.test(params.get("category") || "") ? params.get("category") : "",
    source: SLUG.test(params.get("source") || "") ? params.get("source") : "",
    month: MONTH.test(month || "") ? month : "",
    sort,
  };
}

function facetGroup(title, name, values, state, label) {
  const entries = Object.entries(values || {});
  if (!entries.length) return null;
  const selected = state[name];
  return h(
    "section",
    { class: "facet", "aria-label": `Filter by ${title.toLowerCase()}` },
    h("h3", {}, title),
    h(
      "ul",
      {},
      entries.map(([value, count]) => {
        const active = selected === value;
        const link = href.search({ ...state, [name]: active ? "" : value, sort: state.sort === "relevancy" ? "" : state.sort });
        return h(
          "li",
          {},
          h(
            "a",
            { href: link, "aria-current": active ? "true" : null, class: active ? "active" : null },
            active ? h("span", { class: "visually-hidden" }, "Remove filter: ") : null,
            label(value),
            " ",
            h("span", { class: "count" }, `(${count})`),
          ),
        );
      }),
    ),
  );
}

export async function search(params) {
  const state = searchState(params);
  const page = pageNumber(params);
  const [from, to] = state.month ? monthRange(state.month) : [null, null];
  const answer = await api.search({
    q: state.q, category: state.category, sources: state.source, from, to, sortBy: state.sort,
    highlight: "true", facets: FACETS, pageSize: SEARCH_PAGE, cursor: params.get("cursor"),
  });
  const { site, results: body } = answer;
  const categoryNames = new Map(site.categories.map((c) => [c.slug, c.name]));
  const sourceNames = new Map(Object.entries(answer.sourceNames || {}));
  const heading = state.q ? `Search results for “${state.q}”` : "All articles";
  const linkState = { ...state, sort: state.sort === "relevancy" ? "" : state.sort };
  const facets = body.facets || {};
  const sortForm = h(
    "form",
    { class: "search-form", role: "search", "aria-label": "Refine search", action: "/", method: "get", "data-search-form": "" },
    h("label", { for: "search-page-q" }, "Search for"),
    h("input", { id: "search-page-q", name: "q", type: "search", value: state.q, maxlength: 500 }),
    state.category ? h("input", { type: "hidden", name: "category", value: state.category }) : null,
    state.source ? h("input", { type: "hidden", name: "source", value: state.source }) : null,
    state.month ? h("input", { type: "hidden", name: "month", value: state.month }) : null,
    h("label", { for: "search-page-sort" }, "Sort by"),
    h(
      "select",
      { id: "search-page-sort", name: "sort" },
      h("option", { value: "relevancy", selected: state.sort === "relevancy" }, "Relevance"),
      h("option", { value: "publishedAt", selected: state.sort === "publishedAt" }, "Newest"),
    ),
    h("button", { type: "submit" }, "Search"),
  );
  return {
    title: heading,
    current: null,
    site,
    content: h(
      "div",
      { class: "search-page", "data-page": "search" },
      pageHeading(
        heading,
        h("p", { class: "count-line", "data-block": "result-count" }, plural(body.totalResults, "result", "results")),
      ),
      sortForm,
      h(
        "div",
        { class: "search-layout" },
        h(
          "div",
          { class: "facets", "data-block": "facets" },
          h("h2", { class: "facets-title" }, "Refine"),
          facetGroup("Category", "category", facets.category, state, (v) => categoryNames.get(v) || v),
          facetGroup("Source", "source", facets.source, state, (v) => sourceNames.get(v) || v),
          facetGroup("Month", "month", facets.month, state, monthName),
        ),
        h(
          "section",
          { class: "results", "aria-labelledby": "results-heading", "data-block": "results" },
          h("h2", { id: "results-heading", class: "visually-hidden" }, "Results"),
          body.articles.length ? cardList(body.articles) : emptyState("Nothing matches. Try other words or fewer filters."),
          pager("More results", body.nextCursor, page, (cursor, n) => href.search({ ...linkState, cursor, page: n })),
        ),
      ),
    ),
  };
}
