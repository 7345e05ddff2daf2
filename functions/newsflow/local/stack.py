"""The whole local stack in one process: moto server, resources, event-source emulation, API front.

The handlers and the runtime call moto in this process (local/inprocess.py, local/moto_direct.py); the moto
server exposes the same backends to outside clients (the aws CLI, `newsflow ingest` from another shell).

Data lives in the data dir (default `.newsflow`): the tantivy index in `<data_dir>/index`, and moto's table
items and queue messages in `<data_dir>/state.pickle` (local/snapshot.py), written crash-safe every
`snapshot_seconds` while something changes and at every clean stop, after the stream has been indexed. A
restarted stack carries on where it stopped; `fresh=True` (`newsflow dev --fresh`) starts empty.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from newsflow import aws, wiring
from newsflow import constants as c
from newsflow.local.http_front import ApiFront
from newsflow.local.inprocess import InProcessClients
from newsflow.local.moto_tuning import speed_up_moto_dynamodb, speed_up_moto_sqs
from newsflow.local.resources import LocalResources, create_resources
from newsflow.local.runtime import LocalRuntime
from newsflow.local.site import SiteFiles, default_site_dir
from newsflow.local.snapshot import SNAPSHOT_FILE, Snapshotter, materialize_in_background, read, restore

REGION = "us-east-1"
STATE_FILE = "dev.json"
INDEX_DIR = "index"
SNAPSHOT_SECONDS = 30.0
INGEST_CONCURRENCY_WITH_WORKERS = 3
GC_THRESHOLDS = (20_000, 10, 10)  # the cyclic collector while a stack runs (the default: 700, 10, 10)
log = logging.getLogger(__name__)


class StackState(BaseModel):
    """What a running `newsflow dev` publishes so that other commands can find it."""

    pid: int
    moto_endpoint: str
    api_url: str | None
    data_dir: str
    resources: LocalResources


def aws_environment(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }


def reset_process_caches() -> None:
    """Forget the settings, clients and handler dependencies (the environment changed): newsflow.wiring."""
    wiring.reset()


class LocalStack:
    def __init__(
        self,
        data_dir: str | Path = ".newsflow",
        api_port: int | None = 8000,
        api_key: str | None = None,
        poll_interval_seconds: float = 0,
        verbose: bool = False,
        site_dir: Path | None = None,
        fresh: bool = False,
        snapshot_seconds: float = SNAPSHOT_SECONDS,
        full_text: bool = False,
        prepare_processes: int = 0,
    ) -> None:
        # Worker processes for ingest's pure work (local/prepare_pool.py): `newsflow dev` uses one per core; embedded
        # test stacks default to none (every handler in this process, as before), and opt in.
        self._prepare_processes = prepare_processes
        # Teasers through the full-text stage (`newsflow dev` does; embedded test stacks opt in).
        self._full_text = full_text
        self.data_dir = Path(data_dir)
        self._fresh = fresh
        self._snapshot_seconds = snapshot_seconds
        self._snapshotter: Snapshotter | None = None
        self._saved_gc_thresholds: tuple[int, int, int] | None = None
        self.restored: dict[str, int] = {}
        self.restored_clean = True
        self.site_dir = site_dir or default_site_dir()
        self._api_port = api_port
        self._api_key = api_key
        self._poll_interval = poll_interval_seconds
        self._verbose = verbose
        self._moto: Any = None
        self.clients: InProcessClients | None = None
        self._front: ApiFront | None = None
        self.runtime: LocalRuntime | None = None
        self.resources: LocalResources | None = None
        self.moto_endpoint = ""
        self._saved_env: dict[str, str | None] = {}

    @property
    def api_url(self) -> str | None:
        return self._front.url if self._front else None

    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def start(self) -> LocalStack:
        from moto.core.base_backend import BackendDict
        from moto.server import ThreadedMotoServer

        # moto's server logs every request at INFO; the stack reports what matters itself.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        index_dir = self.data_dir / INDEX_DIR
        if self._fresh:
            (self.data_dir / SNAPSHOT_FILE).unlink(missing_ok=True)
        saved = read(self.data_dir)  # raises SnapshotError (unreadable, other version) before anything starts
        if saved is None:
            shutil.rmtree(index_dir, ignore_errors=True)  # no table to match it (fresh, or an older stack's)

        speed_up_moto_dynamodb()
        speed_up_moto_sqs()
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.moto_endpoint = f"http://{host}:{port}"
        # moto's backends are process-wide: a stack started earlier in this process (a test module) left its
        # table and queues there. Start empty, as a new process would.
        BackendDict.reset()
        self._set_env(aws_environment(self.moto_endpoint))
        self._set_env(
            {
                c.ENV_SEARCH_BACKEND: "tantivy",
                c.ENV_TANTIVY_PATH: str(index_dir),
                # Locally, feeds are usually served from this machine; in AWS this is never set.
                c.ENV_ALLOW_PRIVATE_FETCH: "true",
                c.ENV_STAGE: "local",
                c.ENV_INGEST_PREPARE_PROCESSES: str(self._prepare_processes),
                "POWERTOOLS_SERVICE_NAME": c.POWERTOOLS_SERVICE_NAME,
                "POWERTOOLS_METRICS_DISABLED": "false" if self._verbose else "true",
                "POWERTOOLS_LOG_LEVEL": "INFO" if self._verbose else "ERROR",
            }
        )
        # The handlers and the runtime reach moto in this process; outside clients use the server above.
        self.clients = InProcessClients(REGION)
        aws.use(self.clients)
        self.resources = create_resources()
        if saved is not None:
            self.restored = restore(saved)
            self.restored_clean = bool(saved["clean"])
            if not self.restored_clean:
                log.warning("the last stop was not clean: restored the last snapshot, the index may differ from it")
        self._set_env(self.resources.environment(fulltext=self._full_text))
        reset_process_caches()

        from newsflow.handlers import api, fetch, fulltext, index, ingest, poll

        self.runtime = LocalRuntime(
            self.resources,
            REGION,
            ingest=ingest.lambda_handler,
            index=index.lambda_handler,
            poll=poll.lambda_handler,
            poll_interval_seconds=self._poll_interval,
            fetch=fetch.lambda_handler,
            fulltext=fulltext.lambda_handler if self._full_text else None,
            ingest_outcomes=lambda: list(ingest.last_outcomes),  # this thread's last batch
            lock=self.clients.lock,
            # With prepare workers, several ingest batches in flight keep them and this process busy at once
            # (as Lambda runs several ingest invocations); without, threads would only queue for one core.
            ingest_concurrency=INGEST_CONCURRENCY_WITH_WORKERS if self._prepare_processes else 1,
        )
        if self._prepare_processes:
            deps = wiring.current()
            # Built here, once, rather than by whichever concurrent ingest invocation comes first (cached_property
            # has no lock from Python 3.12); the workers start now, not with the first batch.
            for name in ("preparer", "ingest_repository", "stories", "dead_letters"):
                getattr(deps, name)
        self._tune_collector()
        self.runtime.start()
        # A restored table's partitions are moto's objects when first read; the rest become so meanwhile.
        materialize_in_background(self.clients.lock)
        self._snapshotter = Snapshotter(self.data_dir, self.clients.lock, self._snapshot_seconds)
        self._snapshotter.start()
        if self._api_port is not None:
            from newsflow.handlers import ops

            site = SiteFiles(self.site_dir, self._api_key) if self.site_dir else None
            self._front = ApiFront(
                api.lambda_handler,
                self.status,
                port=self._api_port,
                api_key=self._api_key,
                functions={"ops": ops.lambda_handler},
                site=site,
            )
            self._front.start()
        return self

    def _tune_collector(self) -> None:
        """This process holds every table item, queue message and stream record as Python objects (moto's
        backends), and the cyclic collector's default thresholds walked those long-lived containers again and
        again: ~2 ms of each ingested item's CPU. What start built (modules, restored data) is frozen out of the
        collector and collections are rarer; stop() undoes both."""
        if self._saved_gc_thresholds is None:
            self._saved_gc_thresholds = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLDS)

    def status(self) -> dict[str, Any]:
        assert self.runtime is not None
        return {"idle": self.runtime.is_idle(), "stats": self.runtime.stats().model_dump()}

    def write_state(self) -> Path:
        assert self.resources is not None
        state = StackState(
            pid=os.getpid(),
            moto_endpoint=self.moto_endpoint,
            api_url=self.api_url,
            data_dir=str(self.data_dir),
            resources=self.resources,
        )
        path = self.data_dir / STATE_FILE
        path.write_text(state.model_dump_json(indent=2))
        return path

    def stop(self) -> None:
        """A clean stop: no new requests, the batch in hand finished, the stream indexed, then the snapshot."""
        if self._front:
            self._front.stop()
        if self._moto:
            self._moto.stop()
        if self.runtime:
            self.runtime.stop()
        for built in ("search_index", "preparer"):
            closer = getattr(wiring.current().built(built), "close", None)
            if callable(closer):
                closer()
        if self._snapshotter is not None:
            self._snapshotter.final()
        if self._saved_gc_thresholds is not None:
            gc.set_threshold(*self._saved_gc_thresholds)
            gc.unfreeze()
            self._saved_gc_thresholds = None
        aws.use(None)
        (self.data_dir / STATE_FILE).unlink(missing_ok=True)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_process_caches()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def client_for(state: StackState, service: str) -> Any:
    """A boto3 client for a service of a running local stack (moto accepts any credentials)."""
    import boto3

    return boto3.client(
        service,
        endpoint_url=state.moto_endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts any credentials
    )


def read_state(data_dir: str | Path = ".newsflow") -> StackState | None:
    """The state of a running `newsflow dev`, or None when none is running."""
    path = Path(data_dir) / STATE_FILE
    if not path.exists():
        return None
    try:
        state = StackState.model_validate(json.loads(path.read_text()))
    except (ValueError, OSError):
        return None
    try:
        os.kill(state.pid, 0)
    except ProcessLookupError:
        return None  # stale file from a stack that did not shut down cleanly
    except PermissionError:
        pass
    return state
