'use strict';
// Drives the npm `newsapi` client (pinned in package.json) against a newsflow stack. Only its base URL is
// redirected: the client's own `node-fetch` is wrapped so that https://newsapi.org becomes NEWSAPI_BASE_URL.
// Prints one JSON object: call name -> {ok, body} or {ok: false, name, message}. Usage:
//   NEWSAPI_BASE_URL=http://127.0.0.1:8000 NEWSAPI_KEY=KEY node tests/e2e/newsapi_node/run.js
const path = require('path');

const base = process.env.NEWSAPI_BASE_URL;
const key = process.env.NEWSAPI_KEY;
if (!base || !key) throw new Error('NEWSAPI_BASE_URL and NEWSAPI_KEY are required');

const clientDir = path.dirname(require.resolve('newsapi/package.json'));
const fetchPath = require.resolve('node-fetch', { paths: [clientDir] });
const realFetch = require(fetchPath);
const redirected = (url, options) => realFetch(String(url).replace('https://newsapi.org', base), options);
Object.assign(redirected, realFetch);
require.cache[fetchPath].exports = redirected;

const NewsAPI = require('newsapi');
const newsapi = new NewsAPI(key);

const calls = {
  everything: () => newsapi.v2.everything({ q: 'inflation', language: 'en', sortBy: 'publishedAt', pageSize: 10 }),
  everythingPage2: () => newsapi.v2.everything({ domains: 'reuters.example.com, finwire.example.net', pageSize: 2, page: 2 }),
  everythingPopularity: () => newsapi.v2.everything({ q: 'inflation OR chips', sortBy: 'popularity' }),
  everythingSearchIn: () => newsapi.v2.everything({ q: 'barrels', searchIn: 'description' }),
  topHeadlines: () => newsapi.v2.topHeadlines({ category: 'business', language: 'en' }),
  topHeadlinesDefault: () => newsapi.v2.topHeadlines(),
  topHeadlinesSources: () => newsapi.v2.topHeadlines({ sources: 'reuters,tech-ledger', pageSize: 5 }),
  sources: () => newsapi.v2.sources({ language: 'en' }),
  sourcesCategory: () => newsapi.v2.sources({ category: 'technology' }),
  callback: () => new Promise((resolve, reject) =>
    newsapi.v2.everything({ q: 'chips' }, (err, res) => (err ? reject(err) : resolve(res)))),
  noCache: () => newsapi.v2.everything({ q: 'chips' }, { noCache: true, showHeaders: true })
    .then(({ headers, body }) => ({ cacheControl: headers.get('cache-control'), status: body.status })),
  badCategory: () => newsapi.v2.topHeadlines({ category: 'sports' }),
  missingScope: () => newsapi.v2.everything({ language: 'en' }),
  tooDeep: () => newsapi.v2.everything({ q: 'inflation', pageSize: 100, page: 11 }),
  tooManySources: () => newsapi.v2.everything({ sources: Array.from({ length: 21 }, (_, i) => `s${i}`).join(',') }),
  // Last: the client keeps its key in a module-wide variable, so a second client replaces the first one's key.
  wrongKey: () => new NewsAPI('not-the-key').v2.everything({ q: 'inflation' }),
};

(async () => {
  const results = {};
  for (const [name, call] of Object.entries(calls)) {
    try {
      results[name] = { ok: true, body: await call() };
    } catch (err) {
      results[name] = { ok: false, name: err.name, message: err.message };
    }
  }
  process.stdout.write(JSON.stringify(results));
})();
