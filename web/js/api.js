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

export const ARTICLE_ID = /^[0-9a-f]{32}$/;
export const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

// One request per page: each page of the site is one /v1/pages/* answer, composed by the API, with the site-wide
// blocks (`site`: sections with counts, What's Hot, Latest Posts, archives) beside the page's own content.
export const api = {
  home: (pageSize, cursor) => get("/pages/home", { pageSize, cursor }),
  section: (slug, pageSize, cursor) => get(`/pages/category/${encodeURIComponent(slug)}`, { pageSize, cursor }),
  article: (id, relatedSize) => get(`/pages/article/${encodeURIComponent(id)}`, { relatedSize }),
  search: (params) => get("/pages/search", params),
};
