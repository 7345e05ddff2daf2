"""The feed policy and politeness from the environment (set by infra from CDK context; defaults below)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from newsflow import constants as c
from newsflow.feeds.politeness import Politeness
from newsflow.feeds.poller import FeedPolicy
from newsflow.feeds.schedule import SchedulePolicy


def feed_policy_from_env(environ: Mapping[str, str] | None = None) -> FeedPolicy:
    env = os.environ if environ is None else environ
    schedule = SchedulePolicy(
        min_interval_minutes=int(env.get(c.ENV_FEED_MIN_INTERVAL, "5")),
        max_interval_minutes=int(env.get(c.ENV_FEED_MAX_INTERVAL, str(24 * 60))),
    )
    return FeedPolicy(
        schedule=schedule,
        disable_after_failures=int(env.get(c.ENV_FEED_DISABLE_FAILURES, "10")),
        disable_after_hours=float(env.get(c.ENV_FEED_DISABLE_HOURS, "24")),
    )


def politeness_from_env(environ: Mapping[str, str] | None = None) -> Politeness:
    env = os.environ if environ is None else environ
    return Politeness(
        max_in_flight=int(env.get(c.ENV_HOST_MAX_IN_FLIGHT, "2")),
        min_gap_seconds=float(env.get(c.ENV_HOST_MIN_GAP, "1")),
        hold_seconds=c.FETCH_TIMEOUT_SECONDS + 10,
    )
