"""Operator jobs that must run next to the data (inside the VPC in AWS): replaying the index-failures queue
and rebuilding the search index. Plain Python over small ports (`ports.py`); `adapters.py` holds the AWS and
search-index implementations and `handlers/ops.py` wires them for the ops Lambda. The CLI starts the jobs
(`newsflow --stage X index-failures replay`, `newsflow --stage X reindex`).
"""
