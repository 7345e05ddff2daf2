"""The tantivy rendering of a query plan (`newsflow.search.plan`): tantivy query objects, built from the plan's
parsed tree, fields, boosts and filter clauses. The tantivy counterpart of `opensearch_body`'s query part.

User text reaches tantivy only as the plan's words and phrases, each analysed with `build_analyzer` (the same
pipeline as the indexed `en_stem` fields) into terms: never through tantivy's query-language parser
(`Index.parse_query`), so no field prefix, range, boost or wildcard syntax can be injected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import tantivy

from newsflow.search.plan import AnyOf, Clause, QueryPlan, Range, Term, Terms
from newsflow.search.query import PROXIMITY_BOOST, PROXIMITY_SLOP, TIE_BREAKER, Node, Not, Or, Phrase, Word

TERMS_AS_DISJUNCTION_MAX: Final = 64  # larger term sets: one term-set query


def build_analyzer() -> tantivy.TextAnalyzer:
    """The same pipeline as tantivy's built-in `en_stem`, for analysing query words."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


class TantivyQueries:
    """Builds tantivy queries for one schema; query words are analysed with `analyzer`."""

    def __init__(self, schema: tantivy.Schema, analyzer: tantivy.TextAnalyzer) -> None:
        self._schema = schema
        self._analyzer = analyzer

    def range(self, field: str, lower: int | None, upper: int | None) -> tantivy.Query:
        """[lower, upper) on an integer field; an open side is unbounded."""
        return tantivy.Query.range_query(
            self._schema,
            field,
            tantivy.FieldType.Integer,
            lower,
            upper,
            include_lower=True,
            include_upper=upper is None,
        )

    @staticmethod
    def both(query: tantivy.Query, restriction: tantivy.Query) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, tantivy.Query.const_score_query(restriction, 0.0))]
        )

    def terms(self, field: str, values: Sequence[str]) -> tantivy.Query:
        """Any of `values` in `field` (only ever a filter: callers give it no score). A few terms as a disjunction
        of term queries: tantivy's term-set query walks the field's whole term dictionary, ~25x slower for the
        story keys' five terms (the story lookup of every ingested article)."""
        if not values or len(values) > TERMS_AS_DISJUNCTION_MAX:
            return tantivy.Query.term_set_query(self._schema, field, list(values))
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, field, value)) for value in values]
        )

    def with_filters(self, text_query: tantivy.Query | None, plan: QueryPlan) -> tantivy.Query:
        """The text query restricted by the plan's filter clauses (they never score: const 0, as OpenSearch
        `filter` clauses)."""
        if not plan.filters and not plan.excluded:
            return text_query if text_query is not None else tantivy.Query.all_query()
        clauses = [(tantivy.Occur.Must, text_query if text_query is not None else tantivy.Query.all_query())]
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(self._clause(c), 0.0)) for c in plan.filters]
        clauses += [(tantivy.Occur.MustNot, self._clause(c)) for c in plan.excluded]
        return tantivy.Query.boolean_query(clauses)

    def _clause(self, clause: Clause) -> tantivy.Query:
        if isinstance(clause, Term):
            return tantivy.Query.term_query(self._schema, clause.field, clause.value)
        if isinstance(clause, Terms):
            return self.terms(clause.field, clause.values)
        if isinstance(clause, Range):
            return self.range(clause.field, clause.gte, clause.lt)
        subs = _without_subsumed(clause)
        if len(subs) == 1:
            return self._clause(subs[0])
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, self._clause(c)) for c in subs])

    def text_parts(self, plan: QueryPlan) -> tuple[tantivy.Query | None, tantivy.Query | None]:
        """(what decides the matches, the scoring query = that plus the optional proximity boost).

        Both are the same object when there is no proximity boost.
        """
        root = plan.parsed.root
        if root is None:
            return None, None
        main = self._compile(root, dict(plan.fields))
        if main is None:
            return None, None
        if not plan.near_words:
            return main, main
        tokens = [t for w in plan.near_words for t in self._analyzer.analyze(w)]
        if len(tokens) < 2:
            return main, main
        near = tantivy.Query.boost_query(
            self._phrase_all_fields(tokens, dict(plan.near_fields), slop=PROXIMITY_SLOP), PROXIMITY_BOOST
        )
        return main, tantivy.Query.boolean_query([(tantivy.Occur.Must, main), (tantivy.Occur.Should, near)])

    def _compile(self, node: Node, fields: dict[str, float]) -> tantivy.Query | None:
        if isinstance(node, Word | Phrase):
            return self._leaf(node.text, fields)
        if isinstance(node, Not):
            inner = self._compile(node.item, fields)
            if inner is None:
                return None
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, tantivy.Query.all_query()), (tantivy.Occur.MustNot, inner)]
            )
        if isinstance(node, Or):
            subs = [q for q in (self._compile(i, fields) for i in node.items) if q is not None]
            if not subs:
                return None
            return subs[0] if len(subs) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in subs])
        must = [q for q in (self._compile(i, fields) for i in node.items if not isinstance(i, Not)) if q is not None]
        must_not = [
            q for q in (self._compile(i.item, fields) for i in node.items if isinstance(i, Not)) if q is not None
        ]
        if not must and not must_not:
            return None
        if not must:
            must = [tantivy.Query.all_query()]
        if len(must) == 1 and not must_not:
            return must[0]
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, q) for q in must] + [(tantivy.Occur.MustNot, q) for q in must_not]
        )

    def _leaf(self, text: str, fields: dict[str, float]) -> tantivy.Query | None:
        """A word or phrase analysed exactly as the text fields were: one term, or a phrase."""
        tokens = [(t.position, t.text) for t in self._analyzer.pre_tokenize(text).tokens]
        if not tokens:
            return None
        if len(tokens) == 1:
            return tantivy.Query.disjunction_max_query(
                [
                    tantivy.Query.boost_query(tantivy.Query.term_query(self._schema, field, tokens[0][1]), boost)
                    for field, boost in fields.items()
                ],
                tie_breaker=TIE_BREAKER,
            )
        base = tokens[0][0]
        return self._phrase_all_fields([(pos - base, tok) for pos, tok in tokens], fields, slop=0)

    def _phrase_all_fields(
        self, words: Sequence[str | tuple[int, str]], fields: dict[str, float], slop: int
    ) -> tantivy.Query:
        return tantivy.Query.disjunction_max_query(
            [
                tantivy.Query.boost_query(
                    tantivy.Query.phrase_query(self._schema, field, list(words), slop=slop), boost
                )
                for field, boost in fields.items()
            ],
            tie_breaker=TIE_BREAKER,
        )


# The index files an article's primary category under `categories` too (`all_categories`): a clause that
# accepts either field for one value needs only the `categories` term here.
_SUBSUMED: Final = {"category": "categories"}


def _without_subsumed(clause: AnyOf) -> list[Clause]:
    present = {(c.field, c.value) for c in clause.clauses if isinstance(c, Term)}
    return [
        c
        for c in clause.clauses
        if not (isinstance(c, Term) and c.field in _SUBSUMED and (_SUBSUMED[c.field], c.value) in present)
    ]
