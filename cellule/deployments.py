"""Cellule's Prefect deployments: the entry points a worker runs, each building the live runtime first.

Flows in `flows/` expect a runtime installed by their caller. On a worker there is no caller but Prefect,
so these thin flows build the live runtime from the worker's environment (CELLULE_* variables) and run
the protocol inside it. `prefect.yaml` declares the same deployments for workers on other machines;
`python -m cellule.deployments` serves them from this process (what `cellule up` starts).
"""

from __future__ import annotations

from prefect import flow, serve

from cellule import engine
from cellule.settings import get_settings
from flows.commitments import remind_commitments
from flows.crisis import crisis_response
from flows.runtime import use_runtime

RESPOND = "respond-to-incident"
TICK = "tick-open-incidents"
DEPLOYMENT = "cellule"
TICK_SECONDS = 60
COMMITMENTS = "remind-commitment-owners"
COMMITMENTS_SECONDS = 3600  # commitments are due in days: an hourly look is on time without spamming


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


def deployment_name(flow_name: str) -> str:
    return f"{flow_name}/{DEPLOYMENT}"


def main() -> None:
    serve(
        respond_to_incident.to_deployment(name=DEPLOYMENT),
        tick.to_deployment(name=DEPLOYMENT, interval=TICK_SECONDS),
        remind_commitment_owners.to_deployment(name=DEPLOYMENT, interval=COMMITMENTS_SECONDS),
        limit=4,  # concurrent flow runs in this process; scale out with work pools instead
    )


if __name__ == "__main__":
    from cellule.prefect_env import configure_prefect_environment

    configure_prefect_environment(get_settings().data_dir)
    main()
