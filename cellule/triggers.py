"""What starts the crisis protocol after intake: in this process, or as a Prefect deployment run.

A signal that merely joins an incident changes nothing the cell must act on at once (the scheduled tick
sends what is due); a signal that opens an incident, or raises its severity or type, starts a protocol
run. So a storm of 10,000 reviews about one place starts a handful of runs, not 10,000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cellule.reporting import Reported
from flows.runtime import Runtime

Trigger = Callable[[Iterable[Reported]], None]


def incidents_to_run(outcomes: Iterable[Reported]) -> dict[int, str]:
    """Incident id → idempotency key, for the outcomes that need the protocol to run now."""
    runs: dict[int, str] = {}
    for outcome in outcomes:
        if outcome.new_signal and (outcome.opened or outcome.regraded):
            runs.setdefault(outcome.incident_id, f"incident:{outcome.incident_id}/signal:{outcome.signal_id}")
    return runs


def in_process(runtime: Runtime) -> Trigger:
    """Run the protocol here (the embedded default, and tests)."""
    from cellule.engine import run_protocol

    def trigger(outcomes: Iterable[Reported]) -> None:
        for incident_id in incidents_to_run(outcomes):
            run_protocol(runtime, incident_id)

    return trigger


def deployment_run(incident_id: int, idempotency_key: str | None = None) -> None:
    """Start a run of the served `respond-to-incident` deployment for one incident, without waiting."""
    from prefect.deployments import run_deployment

    from cellule.deployments import RESPOND, deployment_name

    run_deployment(
        deployment_name(RESPOND),
        parameters={"incident_id": incident_id},
        timeout=0,
        idempotency_key=idempotency_key,
    )


def as_deployment_runs() -> Trigger:
    """One deployment run per incident that needs it (server mode).

    The idempotency key names the signal that caused it, so a retried HTTP request never starts two runs.
    """

    def trigger(outcomes: Iterable[Reported]) -> None:
        for incident_id, key in incidents_to_run(outcomes).items():
            deployment_run(incident_id, key)

    return trigger
