"""What starts the crisis protocol after intake: in this process, or as a Prefect deployment run.

A signal that merely joins an incident changes nothing the cell must act on at once (the scheduled tick
sends what is due); a signal that opens an incident, or raises its severity or type, starts a protocol
run. So a storm of 10,000 reviews about one place starts a handful of runs, not 10,000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC
from typing import TYPE_CHECKING

from cellule.reporting import Reported

if TYPE_CHECKING:
    from prefect.futures import PrefectDistributedFuture
from flows.runtime import Runtime

Trigger = Callable[[Iterable[Reported]], None]


def run_key(outcome: Reported) -> str:
    """The key of the protocol run one stored signal starts: `signal:<dedup key>/received:<UTC time>`.

    It names the stored signal, not this store's row ids: ids repeat when the store is restored or reset,
    or when a second store shares the Prefect server, and Prefect would then hand back an old flow run
    instead of starting one. The dedup key says which review or post; the time this store received it
    (to the microsecond, as stored) tells two stores, or a store before and after a restore, apart. A
    retried request about the same stored signal gives the same key, so it never starts a second run.
    """
    received = outcome.received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"signal:{outcome.dedup_key}/received:{received}"


def incidents_to_run(outcomes: Iterable[Reported]) -> dict[int, str]:
    """Incident id → idempotency key (`run_key`), for the outcomes that need the protocol now.

    The first signal that needs a run names it: one run per incident per report, however many signals.
    """
    runs: dict[int, str] = {}
    for outcome in outcomes:
        if outcome.new_signal and (outcome.opened or outcome.regraded):
            runs.setdefault(outcome.incident_id, run_key(outcome))
    return runs


def in_process(runtime: Runtime) -> Trigger:
    """Run the protocol here (the embedded default, and tests)."""
    from cellule.engine import run_protocol

    def trigger(outcomes: Iterable[Reported]) -> None:
        for incident_id in incidents_to_run(outcomes):
            run_protocol(runtime, incident_id)

    return trigger


def background_run(incident_id: int, idempotency_key: str | None = None) -> PrefectDistributedFuture[None]:
    """Queue the protocol for one incident as a Prefect background task, without waiting (server mode).

    A long-lived task worker (`cellule.task_worker`) takes it within moments: no process is spawned per
    run, which is what made deployment runs slow (bench/server_latency.py). A background task has no
    idempotency key, so `idempotency_key` is unused: a second run for the same cause finds nothing left
    to do, the protocol being re-entrant.
    """
    from cellule.task_worker import respond_now

    return respond_now.delay(incident_id)


def as_background_runs() -> Trigger:
    """One background task run per incident that needs it: what `cellule up` does after a report."""

    def trigger(outcomes: Iterable[Reported]) -> None:
        for incident_id in incidents_to_run(outcomes):
            background_run(incident_id)

    return trigger


def deployment_run(incident_id: int, idempotency_key: str | None = None) -> None:
    """Start a run of the served `respond-to-incident` deployment for one incident, without waiting.

    Prefect returns the existing flow run instead of starting one when `idempotency_key` was used before
    on this deployment, so the key must never repeat for a different cause (see `run_key`).
    """
    from prefect.deployments import run_deployment

    from cellule.deployments import RESPOND, deployment_name

    run_deployment(
        deployment_name(RESPOND),
        parameters={"incident_id": incident_id},
        timeout=0,
        idempotency_key=idempotency_key,
    )


def as_deployment_runs() -> Trigger:
    """One deployment run per incident that needs it: for teams whose workers run each protocol run in its
    own process or container (a process, Docker or Kubernetes work pool, see `prefect.yaml`).

    The idempotency key names the stored signal that caused it (`run_key`): a retried HTTP
    request never starts two runs, and a signal stored anew (another store, a restored one) always starts
    its own.
    """

    def trigger(outcomes: Iterable[Reported]) -> None:
        for incident_id, key in incidents_to_run(outcomes).items():
            deployment_run(incident_id, key)

    return trigger
