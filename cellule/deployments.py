"""Cellule's Prefect deployments: the entry points a worker runs, each building the live runtime first.

Flows in `flows/` expect a runtime installed by their caller. On a worker there is no caller but Prefect,
so these thin flows build the live runtime from the worker's environment (CELLULE_* variables) and run
the protocol inside it. `prefect.yaml` declares the same deployments for workers on other machines;
`python -m cellule.deployments` serves them from this process (what `cellule up` starts).
"""

from __future__ import annotations

from prefect import flow, serve
from prefect.schedules import Cron

from cellule import engine
from cellule.settings import get_settings
from flows.crisis import crisis_response
from flows.exit_on_top.commitment_reminders import remind_commitments
from flows.reviews.deadlines import remind_legal_deadlines
from flows.runtime import use_runtime

RESPOND = "respond-to-incident"
TICK = "tick-open-incidents"
DEPLOYMENT = "cellule"
TICK_SECONDS = 60
COMMITMENTS = "remind-commitment-owners"
COMMITMENTS_SECONDS = 3600  # commitments are due in days: an hourly look is on time without spamming
LEGAL = "remind-legal-deadlines"
LEGAL_SECONDS = 3600  # reminders fall on days; each is sent once whatever the cadence
DRILLS = "rehearse-every-playbook"
DRILLS_CRON = "0 6 * * 1"  # Mondays at 6, before the week starts: a slip is read with the first coffee
DRILLS_TIMEZONE = "Europe/Paris"
DRILL_RUNS = 20


@flow(name=RESPOND)
def respond_to_incident(incident_id: int) -> None:
    """Run the crisis protocol for one incident with the live runtime of this worker."""
    with use_runtime(engine.build_runtime(get_settings())):
        crisis_response(incident_id)


@flow(name=TICK)
def tick() -> int:
    """Do what is due for every open incident (reminders, backups, escalations); return how many."""
    return engine.tick_open_incidents(engine.build_runtime(get_settings()))


@flow(name=COMMITMENTS)
def remind_commitment_owners() -> int:
    """Remind the owners of public commitments due soon or late (resolved incidents too); how many."""
    with use_runtime(engine.build_runtime(get_settings())):
        return remind_commitments()


@flow(name=LEGAL)
def remind_legal_role() -> int:
    """Remind the legal role of legal actions nearing their lapse date (resolved incidents too); how many."""
    with use_runtime(engine.build_runtime(get_settings())):
        return remind_legal_deadlines()


@flow(name=DRILLS)
def rehearse_every_playbook(runs: int = DRILL_RUNS) -> dict[str, dict[str, float]]:
    """Play a simulated drill of every playbook against the kit in force, `runs` times each, and tell the
    kit's owner of any target that stopped holding; per scenario, the share of runs meeting each target."""
    from uuid import uuid4

    from cellule.scratch import scratch_stores
    from flows.drill.scheduled import rehearse_every_playbook as rehearse
    from notifications import dispatch_due

    runtime = engine.build_runtime(get_settings())
    with scratch_stores() as fresh:
        rehearsals = rehearse(
            runtime.sessions,
            fresh=fresh,
            runs=runs,
            now=runtime.now(),
            available=runtime.available_channels,
            round_id=uuid4().hex[:12],
        )
    dispatch_due(runtime.sessions, channels=runtime.channels, now=runtime.now())
    return {r.scenario: {t.key: t.share_met for t in r.summary.targets} for r in rehearsals}


def deployment_name(flow_name: str) -> str:
    return f"{flow_name}/{DEPLOYMENT}"


def main() -> None:
    serve(
        respond_to_incident.to_deployment(name=DEPLOYMENT),
        tick.to_deployment(name=DEPLOYMENT, interval=TICK_SECONDS),
        remind_commitment_owners.to_deployment(name=DEPLOYMENT, interval=COMMITMENTS_SECONDS),
        remind_legal_role.to_deployment(name=DEPLOYMENT, interval=LEGAL_SECONDS),
        rehearse_every_playbook.to_deployment(
            name=DEPLOYMENT, schedule=Cron(DRILLS_CRON, timezone=DRILLS_TIMEZONE)
        ),
        limit=4,  # concurrent flow runs in this process; scale out with work pools instead
    )


if __name__ == "__main__":
    import os

    from cellule.prefect_env import configure_prefect_environment

    # Served to a real Prefect server (what `cellule up` starts): none of the embedded server's defaults.
    configure_prefect_environment(get_settings().data_dir, embedded=not os.environ.get("PREFECT_API_URL"))
    main()
