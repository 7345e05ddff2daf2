"""One story, many sources: near-duplicate detection and story clusters.

`sketch.py` computes similarity sketches, `match.py` verifies candidates against thresholds,
`assign.py` finds an article's story through a `CandidateIndex` (the search index: `indexed.py`).
"""
