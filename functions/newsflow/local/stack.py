"""The whole local stack in one process: moto server, resources, event-source emulation, API front.

Data lives in moto's memory (DynamoDB, SQS) and in the tantivy index under `<data_dir>/index`. moto keeps
nothing across restarts, so the index is wiped at start to stay consistent with the (empty) table: a
restarted `newsflow dev` starts empty. Re-ingest with `newsflow ingest samples/`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from newsflow import aws
from newsflow import constants as c
from newsflow.local.http_front import ApiFront
from newsflow.local.moto_tuning import speed_up_moto_dynamodb
from newsflow.local.resources import LocalResources, create_resources
from newsflow.local.runtime import LocalRuntime
from newsflow.local.site import SiteFiles, default_site_dir
from newsflow.settings import reset_settings_cache

REGION = "us-east-1"
STATE_FILE = "dev.json"


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
    """Forget cached settings, clients and handler dependencies (the environment changed)."""
    from newsflow.handlers import api, fetch, fulltext, index, ingest, poll

    reset_settings_cache()
    aws.reset_clients()
    for module in (ingest, index, api, poll, fetch, fulltext):
        module.reset()


class LocalStack:
    def __init__(
        self,
        data_dir: str | Path = ".newsflow",
        api_port: int | None = 8000,
        api_key: str | None = None,
        poll_interval_seconds: float = 0,
        verbose: bool = False,
        site_dir: Path | None = None,
        full_text: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.site_dir = site_dir or default_site_dir()
        self._api_port = api_port
        self._api_key = api_key
        self._poll_interval = poll_interval_seconds
        self._verbose = verbose
        # Teasers through the full-text stage (`newsflow dev` does; embedded test stacks opt in).
        self._full_text = full_text
        self._moto: Any = None
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
        index_dir = self.data_dir / "index"
        shutil.rmtree(index_dir, ignore_errors=True)  # moto starts empty; so must the index

        speed_up_moto_dynamodb()
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
                "POWERTOOLS_SERVICE_NAME": c.POWERTOOLS_SERVICE_NAME,
                "POWERTOOLS_METRICS_DISABLED": "false" if self._verbose else "true",
                "POWERTOOLS_LOG_LEVEL": "INFO" if self._verbose else "ERROR",
            }
        )
        aws.reset_clients()
        self.resources = create_resources()
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
            ingest_outcomes=lambda: list(ingest.last_outcomes),
            fulltext=fulltext.lambda_handler if self._full_text else None,
        )
        self.runtime.start()
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
        if self._front:
            self._front.stop()
        if self.runtime:
            self.runtime.stop()
        from newsflow.handlers import index

        closer = getattr(index.search_index(), "close", None) if self.resources else None
        if callable(closer):
            closer()
        if self._moto:
            self._moto.stop()
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
