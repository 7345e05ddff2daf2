"""The query service, split by read model (no AWS imports): each module answers one kind of page block.

- `listings`: article lists, search and archives with keyset paging (`newsflow.api.cursor`);
- `article`: one article by id, its previous/next and related posts;
- `hot`: "What's Hot" (stories ranked by distinct sources with recency decay);
- `site`: site structure (categories, archives, sources) and health;
- `cards`: what every list shows of an article (its card, its story's other sources);
- `pages`: whole pages of a news site composed from the above (`/v1/pages/*`).
"""
