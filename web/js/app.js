// The router: the page is chosen by the query string (/?section=…, /?article=…, /?archive=yyyy-mm, /?q=…),
// so every page is a plain link to index.html that S3 + CloudFront serve with no rewrite rules. Links inside
// the site are followed without a reload (History API); a reload or a shared link renders the same page.
import { api, siteConfig } from "./api.js";
import { markCurrentSection, renderArchives, renderCategories, renderHot, renderLatest, renderSections } from "./blocks.js";
import { clear, h } from "./dom.js";
import * as pages from "./pages.js";

const $ = (selector) => document.querySelector(selector);
let siteName = "newsflow";
let rendering = 0;
let current = null; // the section the shown page belongs to ("home", a slug, or null)
let chromeDrawn = false;
let shown = null; // path and query of the page being shown (popstate of a fragment link keeps it)

function route(params) {
  if (params.has("article")) return pages.article(params.get("article") || "");
  if (params.has("section")) return pages.section(params.get("section") || "", params);
  if (params.has("archive")) return pages.archive(params.get("archive") || "", params);
  if (params.has("q") || params.has("source")) return pages.search(params);
  return pages.home(params);
}

function failure(error) {
  console.warn("newsflow: page failed", error); // a warning, not an error: the page says what happened
  return {
    title: "Unavailable",
    current: null,
    content: h(
      "div",
      { class: "not-found", role: "alert" },
      h("h1", { tabindex: "-1" }, "This page is unavailable"),
      h("p", {}, "The news service did not answer. Please try again in a moment."),
    ),
  };
}

async function render({ focus }) {
  const ticket = ++rendering;
  const main = $("[data-main]");
  main.setAttribute("aria-busy", "true");
  const params = new URLSearchParams(window.location.search);
  shown = window.location.pathname + window.location.search;
  let page;
  try {
    page = await route(params);
  } catch (error) {
    page = failure(error);
  }
  if (ticket !== rendering) return; // a newer navigation won
  if (page.site) drawChrome(page.site, page.current);
  else if (!chromeDrawn) {
    // A page answered without a request of its own (not found): the blocks come from the front page's answer
    api.home(1).then((home) => chromeDrawn || drawChrome(home.site, current))
      .catch((error) => console.warn("newsflow: the site blocks failed", error));
  }
  clear(main).append(page.content);
  main.removeAttribute("aria-busy");
  document.title = page.title ? `${page.title} – ${siteName}` : siteName;
  current = page.current;
  markCurrentSection($("[data-sections]"), current);
  const query = $("#site-search");
  if (query && document.activeElement !== query) query.value = params.get("q") || "";
  $("[data-announce]").textContent = page.title || siteName;
  if (focus) {
    window.scrollTo(0, 0);
    (main.querySelector("h1") || main).focus({ preventScroll: true });
  }
  document.documentElement.dataset.rendered = String(ticket);
}

/** The header's sections, What's Hot and the sidebar, from a page answer's `site` blocks. */
function drawChrome(site, section) {
  renderSections($("[data-sections]"), site.categories, section);
  renderHot($("[data-hot]"), site.hot, site.latest);
  renderLatest($("[data-latest]"), site.latest);
  renderArchives($("[data-archives]"), site.archives);
  renderCategories($("[data-categories]"), site.categories);
  chromeDrawn = true;
}

function closeMenu() {
  const toggle = $("[data-menu-toggle]");
  toggle.setAttribute("aria-expanded", "false");
  $("[data-sections-nav]").classList.remove("open");
}

function navigate(url) {
  closeMenu();
  if (url.href !== window.location.href) window.history.pushState({}, "", url.href);
  render({ focus: true });
}

function isSiteLink(link, event) {
  if (!link || event.defaultPrevented || event.button !== 0) return false;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if (link.target && link.target !== "_self") return false;
  if (link.getAttribute("href").startsWith("#")) return false; // in-page (the skip link): the browser's job
  const url = new URL(link.href, window.location.href);
  return url.origin === window.location.origin && url.pathname === "/";
}

function searchUrl(form) {
  const url = new URL("/", window.location.origin);
  for (const [name, value] of new FormData(form)) {
    const text = String(value).trim();
    if (text !== "" && !(name === "sort" && text === "relevancy")) url.searchParams.set(name, text);
  }
  if (!url.searchParams.has("q")) url.searchParams.set("q", "");
  return url;
}

function wire() {
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!isSiteLink(link, event)) return;
    event.preventDefault();
    navigate(new URL(link.href));
  });
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-search-form")) return;
    event.preventDefault();
    navigate(searchUrl(form));
  });
  $("#site-search").addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.target.value = "";
      event.target.blur();
    }
  });
  window.addEventListener("popstate", () => {
    // A fragment link (the skip link) is a same-document navigation too: the page shown is still right, and
    // re-rendering it would take the focus the link just gave to the main content.
    if (window.location.pathname + window.location.search === shown) return;
    render({ focus: true });
  });
  // Phones: the section menu folds behind a button (the script unhides it: without script the menu just shows).
  const toggle = $("[data-menu-toggle]");
  const nav = $("[data-sections-nav]");
  toggle.hidden = false;
  nav.classList.add("foldable");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
}

async function boot() {
  const config = await siteConfig();
  siteName = config.siteName;
  $("[data-brand]").textContent = config.siteName;
  $("[data-footer-name]").textContent = config.siteName;
  $("[data-tagline]").textContent = config.tagline;
  $("[data-year]").textContent = String(new Date().getUTCFullYear());
  wire();
  await render({ focus: false });
  document.documentElement.dataset.ready = "true";
}

boot();
