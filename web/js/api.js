// The newsflow public API, on the same origin as the site (relative URLs: no CORS in production).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

let configPromise = null;

/** /config.json: {siteName, tagline, apiKey}. A missing or broken file means the defaults. */
export function siteConfig() {
  if (configPromise === null) {
    configPromise = fetch("/config.json", { headers: { accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : {}))
      .catch(() => ({}))
      .then((config) => ({
        siteName: typeof config.siteName === "string" && config.siteName ? config.siteName : "newsflow",
        tagline: typeof config.tagline === "string" ? config.tagline : "",
        apiKey: typeof config.apiKey === "string" ? config.apiKey : "",
      }));
  }
  return configPromise;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** GET /v1{path}?{params} as JSON; an error status becomes an ApiError with the API's code. */
export async function get(path, params) {
  const { apiKey } = await siteConfig();
  const headers = { accept: "application/json" };
  if (apiKey) headers["x-api-key"] = apiKey;
  const response = await fetch(`/v1${path}${query(params)}`, { headers });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok || body === null) {
    throw new ApiError(response.status, body && body.code, body && body.message);
  }
  return body;
}

const once = new Map();

/** The same GET shared by every page of this visit (the sidebar's lists, the sections). */
export function cached(path, params) {
  const key = path + query(params);
  if (!once.has(key)) {
    const promise = get(path, params);
    promise.catch(() => once.delete(key));
    once.set(key, promise);
  }
  return once.get(key);
}

export const ARTICLE_ID = /^[0-9a-f]{32}$/;
export const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

export const api = {
  categories: () => cached("/categories"),
  archives: () => cached("/archives"),
  sources: () => cached("/sources"),
  recent: (pageSize) => cached("/articles", { pageSize }),
  latest: (pageSize, cursor) => get("/articles", { pageSize, cursor, collapse: "story" }),
  section: (category, pageSize, cursor) => get("/articles", { category, pageSize, cursor }),
  hot: (window, pageSize) => cached("/top-headlines", { window, pageSize }),
  article: (id) => get(`/articles/${encodeURIComponent(id)}`),
  related: (id, pageSize) => get(`/articles/${encodeURIComponent(id)}/related`, { pageSize }),
  month: (year, month, pageSize, cursor) =>
    get(`/archives/${encodeURIComponent(year)}/${encodeURIComponent(month)}`, { pageSize, cursor }),
  search: (params) => get("/search", params),
};
