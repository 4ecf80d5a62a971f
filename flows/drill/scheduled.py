"""Scheduled drills: every playbook of the kit in force rehearsed on a schedule, its owner told of slips.

A kit rots quietly: a backup leaves, a role is emptied, a lawyer changes firms. Each scheduled round
plays, for every playbook a built-in scenario rehearses, a series of simulated runs against the kit in
force (the scenario's signals forced to that playbook's attack type, the playbook's own targets). On top
of the scenario, every role's primary is away in a share of the runs (`PRIMARY_AWAY`): a roster is
only as good as its backups, and a backup who left shows only when the primary is away. A target
*fails* when fewer than `PASS_SHARE` of the runs meet it; when one fails that did not in the previous
round, the kit's owner gets one message per scenario and round, through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.drill.journal import SeriesSummary, drills_of_series, failing, series_summary
from flows.drill.scenario import (
    Behaviour,
    Scenario,
    builtin_scenario_names,
    find_scenario,
    problems_with,
    read_scenario,
)
from flows.drill.scoring import PASS_SHARE, TargetSummary
from flows.drill.series import FreshStore, run_series
from flows.kit.loading import require_kit_version
from flows.kit.schema import Kit
from flows.postmortem.formatting import duration, percent
from models import AttackType, Drill, DrillMode, Notification, Person, transaction
from notifications import enqueue, route_for

PRIMARY_AWAY = 0.3  # holidays, illness, a phone left at home: about a third of the time, said bluntly
SCHEDULED = "scheduled-"  # the prefix of a scheduled round's series ids
TEMPLATE = "drill_regression"


@dataclass(frozen=True)
class Rehearsal:
    """One playbook's scheduled series, and the targets that slipped since the previous one."""

    scenario: str
    attack_type: str
    summary: SeriesSummary
    slipped: list[TargetSummary]
    told: bool


def scenarios_for(kit: Kit, *, primary_away: float = PRIMARY_AWAY) -> list[Scenario]:
    """A built-in scenario per playbook of the kit, its signals forced to the playbook's attack type,
    each role's primary away in `primary_away` of the runs."""
    away = [Behaviour(who=f"{role}/primary", absent=primary_away) for role in sorted(kit.roster)]
    chosen: dict[AttackType, Scenario] = {}
    for name in builtin_scenario_names():
        scenario = read_scenario(find_scenario(name))
        rehearses = scenario.scenario.rehearses
        fits = not list(problems_with(scenario, kit))  # its people rules name roles this kit has
        if rehearses is not None and rehearses.value in kit.playbooks and rehearses not in chosen and fits:
            signals = [s.model_copy(update={"attack_type": rehearses}) for s in scenario.signals]
            people = [*scenario.people, *away]
            chosen[rehearses] = scenario.model_copy(update={"signals": signals, "people": people})
    return [chosen[t] for t in sorted(chosen)]


def rehearse_every_playbook(
    journal: sessionmaker[Session],
    *,
    fresh: FreshStore,
    runs: int,
    now: datetime,
    available: set[str],
    round_id: str,
    primary_away: float = PRIMARY_AWAY,
) -> list[Rehearsal]:
    """Play each playbook's scenario `runs` times against the kit in force; tell the owner of slips."""
    with transaction(journal) as session:
        version, kit = require_kit_version(session)
    rehearsals = []
    for scenario in scenarios_for(kit, primary_away=primary_away):
        with transaction(journal) as session:
            previous = _previous_round(session, scenario.name)
        series = run_series(
            journal,
            scenario=scenario,
            kit=kit,
            kit_sha256=version.sha256,
            seeds=range(runs),
            fresh=fresh,
            series=f"{SCHEDULED}{round_id}",
        )
        slipped = slipped_targets(series.summary, previous)
        told = False
        if slipped:
            with transaction(journal) as session:
                told = tell_the_owner(
                    session,
                    kit=kit,
                    scenario=scenario,
                    summary=series.summary,
                    slipped=slipped,
                    round_id=round_id,
                    now=now,
                    available=available,
                )
        rehearsals.append(
            Rehearsal(scenario.name, str(scenario.signals[0].attack_type), series.summary, slipped, told)
        )
    return rehearsals


def slipped_targets(current: SeriesSummary, previous: SeriesSummary | None) -> list[TargetSummary]:
    """Targets failing now that were not in the previous round (every failing one, the first time)."""
    before = failing(previous) if previous is not None else set()
    return [t for t in current.targets if t.share_met < PASS_SHARE and t.key not in before]


def _previous_round(session: Session, scenario: str) -> SeriesSummary | None:
    series = session.scalar(
        select(Drill.series)
        .where(
            Drill.scenario == scenario, Drill.mode == DrillMode.SIMULATED, Drill.series.startswith(SCHEDULED)
        )
        .order_by(Drill.id.desc())
        .limit(1)
    )
    return series_summary(drills_of_series(session, series)) if series else None


def tell_the_owner(
    session: Session,
    *,
    kit: Kit,
    scenario: Scenario,
    summary: SeriesSummary,
    slipped: list[TargetSummary],
    round_id: str,
    now: datetime,
    available: set[str],
) -> bool:
    """Queue one message to the kit's owner for this scenario and round; False if it was queued already."""
    owner = session.scalars(select(Person).where(Person.key == kit.kit.owner)).one()
    key = f"drill:{round_id}/{scenario.name}/owner/person:{owner.id}"
    if session.scalar(select(Notification.id).where(Notification.key == key)) is not None:
        return False
    locale = owner.locale
    enqueue(
        session,
        key=key,
        template=TEMPLATE,
        locale=locale,
        context={
            "kit_name": kit.kit.name,
            "person_name": owner.name,
            "scenario": scenario.title(locale),
            "scenario_name": scenario.name,
            "runs": summary.runs,
            "failing": [
                {
                    "key": t.key,
                    "target": duration(t.target, locale) if t.target is not None else None,
                    "share": percent(t.share_met, locale),
                    "median": duration(t.median, locale) if t.median is not None else None,
                    "p90": duration(t.p90, locale) if t.p90 is not None else None,
                }
                for t in slipped
            ],
        },
        route=route_for(owner, available=available),
        at=now,
        person_id=owner.id,
    )
    return True
