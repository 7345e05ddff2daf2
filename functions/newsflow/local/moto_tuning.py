"""Speed-ups for moto's DynamoDB and SQS, applied by the local stack only (moto is pinned: MOTO_VERSION).

DynamoDB:

moto 5.2 answers every Query on a base table by sorting *all* items of the table with its DynamoType
comparisons and then filtering them by partition key (`Table.query` over `Table.all_items`), which makes
the local stack quadratic in the table size: with the story candidate index (8 Queries per ingested
item), a few thousand items brought local ingest down to a few items per second. While a base-table
Query runs, this patch hands moto only the queried partition (what DynamoDB itself reads); every other
use of `all_items` (scans, GSI queries) is unchanged. moto is pinned, and the e2e tests run through it.

Building an item (every PutItem, every put of a BatchWriteItem) re-added the sizes of all attributes already
set each time it set one (`LimitedSizeDict.__setitem__`), O(attributes²) per item: the article item's ~25
attributes cost more than the rest of the PutItem. `speed_up_moto_dynamodb` sums them once, with the same
405,000-byte limit and the same ItemSizeTooLarge error. Unpickling an item (a restart reading its snapshot)
went through the same `__setitem__` once per attribute: a snapshot now stores the attributes as a plain dict and
rebuilds them in one pass.

A conditional PutItem had its ConditionExpression parsed twice (moto's front checks the attribute names it uses,
its backend parses the same expression again to evaluate it), each parse a character-by-character lexer: a
tenth of the local stack's ingest CPU. The syntax tree of each (expression, names, which values) is remembered (a
small LRU), and each parse builds the condition from it with the request's own values; an invalid expression is
never remembered, so it fails the same way each time.

SQS: moto 5.2 answers every ReceiveMessage by building the list of *all* visible messages of the queue (two clock
reads per message), and every DeleteMessage by scanning and rebuilding the whole message list, so draining a
queue of n messages costs O(n²): 5,000 queued items made each receive and each delete cost more than the item's
processing. `speed_up_moto_sqs` keeps the same order and rules and makes both cost what the batch costs:
- `Queue.messages` becomes a lazy view over a snapshot of the list (a C-speed pointer copy): ReceiveMessage stops
  reading once it has its batch; `len()` and truth (`ApproximateNumberOfMessages`, the long-poll wait) still
  count or look for visible messages as before;
- `Queue.delete_message` stops at the message that carries the receipt handle (received messages are the
  oldest, so near the front) and removes that one, under the queue's lock;
- the three approximate counts read the clock once per call instead of twice per message, and SendMessage (which
  builds the queue's attributes, counts included, to read one flag) no longer computes them: filling a queue was
  O(n²) too;
- ReceiveMessage's retention check reads the queue's retention period itself: through get_queue_attributes it
  built every attribute, the counts over the whole queue, three times per message received.
Received-but-not-deleted and delayed messages are still skipped by the same checks, redrive to the DLQ still
happens at maxReceiveCount. tests/integration/test_moto_tuning.py checks both semantics and cost.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

MOTO_VERSION = "5.2.5"  # what these patches were written and tested against (pyproject.toml pins it)
ITEM_SIZE_LIMIT = 405_000  # moto's own limit (LimitedSizeDict): DynamoDB's 400 KB, measured at 409-410 KB
_PATCHED = False
_SQS_PATCHED = False
_current = threading.local()  # moto's server answers requests on several threads


def speed_up_moto_dynamodb() -> None:
    global _PATCHED
    if _PATCHED:
        return
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items

    signature = inspect.signature(original_query)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # moto passes index_name positionally: bind the call to read it whatever the calling convention.
        index_name = signature.bind(self, hash_key, *args, **kwargs).arguments.get("index_name")
        partitioned = index_name is None and hash_key is not None and bool(self.range_key_attr)
        _current.partition = (self, hash_key) if partitioned else None
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _current.partition = None

    def all_items(self: Any) -> list[Any]:
        partition = getattr(_current, "partition", None)
        if partition is None or partition[0] is not self:
            return original_all_items(self)
        return list(self.items.get(partition[1], {}).values())  # moto sorts the query's results itself

    original_len = Table.__len__

    def table_len(self: Any) -> int:
        from newsflow.local.lazy_table import LazyPartitions

        if isinstance(self.items, LazyPartitions):  # a restored table: count without unpickling every partition
            return self.items.item_total(self.has_range_key)
        return int(original_len(self))

    Table.query = query  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.__len__ = table_len  # type: ignore[method-assign]
    _build_items_in_one_pass()
    _size_stream_records_when_read()
    _parse_each_condition_once()
    _PATCHED = True


def _build_items_in_one_pass() -> None:
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    def item_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        converted = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in converted.items()) > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict(converted)  # its constructor stores without re-checking

    Item.__init__ = item_init  # type: ignore[method-assign]
    # Unpickling a dict subclass sets its keys one by one through `__setitem__`, which re-adds every size: a
    # restart with 50,000 articles spent minutes there. Pickled as a plain dict, it is rebuilt in one pass.
    LimitedSizeDict.__reduce__ = _reduce_limited_size_dict  # type: ignore[assignment,method-assign]


def _size_stream_records_when_read() -> None:
    """A stream record's SizeBytes (moto: the length of the record serialised to JSON) is computed when the record
    is first read, not when it is written: every write makes one, and most are never read (the local runtime reads
    only article records; the stream's other records are dedupe keys and story candidates). The value is the same:
    the record serialised with SizeBytes 1, as moto's constructor does."""
    from moto.dynamodb.models import table as table_module
    from moto.dynamodb.models.utilities import dynamo_json_dump

    record_class: Any = table_module.StreamRecord
    original_init = record_class.__init__

    def unsized(dynamo_object: Any) -> str:
        return ""  # inside a StreamRecord's constructor only: its one call, the size, is taken on first read

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        table_module.dynamo_json_dump = unsized
        try:
            original_init(self, *args, **kwargs)
        finally:
            table_module.dynamo_json_dump = dynamo_json_dump
        self.record["dynamodb"]["SizeBytes"] = 1
        self.sized = False

    def to_json(self: Any) -> dict[str, Any]:
        if not getattr(self, "sized", True):
            change = self.record["dynamodb"]
            change["SizeBytes"] = 1
            change["SizeBytes"] = len(dynamo_json_dump(change))
            self.sized = True
        return self.record

    record_class.__init__ = init
    record_class.to_json = to_json  # what the stream's readers call: GetRecords, the local runtime


PARSES_KEPT = 256


def _parse_each_condition_once() -> None:
    import json
    from collections import OrderedDict

    from moto.dynamodb import comparisons, responses
    from moto.dynamodb import models as models_module

    original_create = comparisons.create_condition_expression_parser
    parser_class: Any = comparisons.ConditionExpressionParser
    value_kind = parser_class.Kind.EXPRESSION_ATTRIBUTE_VALUE

    class ParsedCondition(parser_class):
        """A parser whose parse() builds the condition from a remembered syntax tree with this request's values
        put in (the attributes callers read are set too)."""

        def __init__(self, expr: Any, names: Any, values: Any, tree: Any, names_found: Any, values_found: Any) -> None:
            super().__init__(expr, names, values)
            self._tree = tree
            self.expr_attr_names_found = list(names_found)
            self.expr_attr_values_found = list(values_found)

        def parse(self) -> Any:
            return self._make_op_condition(_with_values(self._tree, self.expression_attribute_values or {}))

    def _with_values(node: Any, values: dict[str, Any]) -> Any:
        if node.kind == value_kind:
            return node._replace(value=values[node.text])
        if not node.children:
            return node
        return node._replace(children=[_with_values(child, values) for child in node.children])

    # The tree depends on the expression, the names and which values are given, never on the values themselves
    # (they sit in its leaves, and only the condition built from it compares them).
    trees: OrderedDict[tuple[str, str, tuple[str, ...]], tuple[Any, list[str], list[str]]] = OrderedDict()
    lock = threading.Lock()

    def create(expr: Any, names: Any, values: Any) -> Any:
        if not expr:
            return original_create(expr, names, values)
        try:
            key = (expr, json.dumps(names, sort_keys=True), tuple(sorted(values or {})))
        except (TypeError, ValueError):  # not plain JSON: parse as moto does
            return original_create(expr, names, values)
        with lock:
            known = trees.get(key)
            if known is not None:
                trees.move_to_end(key)
        if known is None:
            parser = original_create(expr, names, values)
            captured: list[Any] = []
            build = parser._make_op_condition

            def capture(node: Any) -> Any:  # the first call gets the whole tree (the rest are its subtrees)
                if not captured:
                    captured.append(node)
                return build(node)

            parser._make_op_condition = capture  # type: ignore[method-assign]
            try:
                parser.parse()
            except Exception:  # invalid: not kept, and the caller's own parse() raises where moto expects it
                return original_create(expr, names, values)
            known = (captured[0], list(parser.expr_attr_names_found), list(parser.expr_attr_values_found))
            with lock:
                trees[key] = known
                while len(trees) > PARSES_KEPT:
                    trees.popitem(last=False)
        return ParsedCondition(expr, names, values, *known)

    for module in (comparisons, responses, models_module):
        module.create_condition_expression_parser = create  # type: ignore[attr-defined]


def _reduce_limited_size_dict(attrs: dict[str, Any]) -> tuple[Any, tuple[dict[str, Any]]]:
    return _limited_size_dict, (dict(attrs),)


def _limited_size_dict(attrs: dict[str, Any]) -> Any:
    """A snapshot's item attributes back as moto's LimitedSizeDict, without the per-key size re-check (the item
    was within the limit when it was stored)."""
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    rebuilt = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.update(rebuilt, attrs)
    return rebuilt


class _VisibleMessages:
    """What moto's `Queue.messages` returns, computed as it is consumed (see the module doc)."""

    __slots__ = ("_messages",)

    def __init__(self, messages: list[Any]) -> None:
        self._messages = list(messages)  # a snapshot: deletes on other threads do not disturb the iteration

    def __iter__(self) -> Any:
        return (m for m in self._messages if m.visible and not m.delayed)

    def __bool__(self) -> bool:
        return any(True for _ in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def speed_up_moto_sqs() -> None:
    global _SQS_PATCHED
    if _SQS_PATCHED:
        return
    import moto
    from moto.core.utils import unix_time, unix_time_millis
    from moto.sqs.exceptions import ReceiptHandleIsInvalid
    from moto.sqs.models import Queue, SQSBackend

    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(f"moto_tuning was written for moto {MOTO_VERSION}, not {moto.__version__}: re-check it")

    def messages(self: Any) -> _VisibleMessages:
        return _VisibleMessages(self._messages)

    def delete_message(self: Any, receipt_handle: str) -> None:
        if receipt_handle in self.deleted_messages:
            return  # already deleted: moto (and SQS) accept a second delete
        with self._messages_lock:
            for message in self._messages:
                if message.had_receipt_handle(receipt_handle):
                    self.pending_messages.discard(message)
                    self.deleted_messages.update(message.all_receipt_handles)
                    self._messages.remove(message)
                    return
        raise ReceiptHandleIsInvalid()

    def not_visible(self: Any) -> int:
        if getattr(_current, "counts_unread", False):
            return 0
        now = unix_time_millis()  # once per call, not once per message
        return sum(1 for m in self._messages if not now > m.visible_at)

    def delayed(self: Any) -> int:
        if getattr(_current, "counts_unread", False):
            return 0
        now = unix_time_millis()
        return sum(1 for m in self._messages if now < m.delayed_until)

    def waiting(self: Any) -> int:
        if getattr(_current, "counts_unread", False):
            return 0
        now = unix_time_millis()
        return sum(1 for m in self._messages if now > m.visible_at and not now < m.delayed_until)

    original_send = SQSBackend.send_message

    def send_message(self: Any, *args: Any, **kwargs: Any) -> Any:
        # SendMessage builds the queue's attributes to read ContentBasedDeduplication, counts included: it never
        # reads the counts, so they are not computed (0) for the duration of the call on this thread.
        _current.counts_unread = True
        try:
            return original_send(self, *args, **kwargs)
        finally:
            _current.counts_unread = False

    def retained(self: Any, queue_name: str, message: Any) -> bool:
        # moto reads MessageRetentionPeriod through get_queue_attributes, which builds every attribute (the
        # counts over the whole queue) three times, once per message received.
        retention_period = int(self.get_queue(queue_name).message_retention_period)
        return bool(retention_period + message.sent_timestamp / 1000 > unix_time())

    Queue.messages = property(messages)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_not_visible = property(not_visible)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_delayed = property(delayed)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages = property(waiting)  # type: ignore[assignment,method-assign]
    Queue.delete_message = delete_message  # type: ignore[method-assign]
    SQSBackend.send_message = send_message  # type: ignore[method-assign]
    SQSBackend.is_message_valid_based_on_retention_period = retained  # type: ignore[method-assign]
    _SQS_PATCHED = True
