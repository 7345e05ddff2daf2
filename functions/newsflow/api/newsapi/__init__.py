"""NewsAPI.org-compatible routes (`/v2/everything`, `/v2/top-headlines`, `/v2/top-headlines/sources`,
`/v2/sources`): NewsAPI's parameters, response shapes and error codes over newsflow's own index, so code
written against the `newsapi-python` or npm `newsapi` clients keeps working (README "NewsAPI compatibility").

- `params`: the query parameters each route accepts (pydantic, unknown ones refused);
- `mapping`: the settings and the configurable mappings (categories, countries, content, depth);
- `views`: the response bodies (articles, sources);
- `ranking`: `sortBy=popularity` and the top-headlines ranking over the index;
- `service`: the three queries, built on the `SearchIndex` port and the query service (no AWS imports);
- `errors`: NewsAPI's error body and codes, and the mapping of every failure onto them;
- `auth`: where a request carries its API key (query, `X-Api-Key`, `Authorization`), for the local front
  and the API Gateway Lambda authorizer.
"""
