"""The period report's counts, medians, 90th percentiles and shares, against figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.postmortem.period import PeriodReport, median, percentile, period_report
from models import (
    ActionItem,
    AttackType,
    Commitment,
    CommitmentStatus,
    Incident,
    IncidentStatus,
    Person,
    Severity,
    Target,
    transaction,
)

NOVEMBER, DECEMBER = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
AS_OF = datetime(2026, 12, 15, tzinfo=UTC)
MIN = timedelta(minutes=1)
DEFAMATORY, RUMOR = AttackType.DEFAMATORY_REVIEW, AttackType.RUMOR

# (day of November, attack, severity, minutes to acknowledge, minutes to assemble, minutes to resolve)
# The hotel kit's targets: defamatory review acknowledge 30 min, assemble 2 h; rumour 15 min and 1 h.
NOVEMBER_INCIDENTS = (
    (2, DEFAMATORY, Severity.MEDIUM, 10, 50, 1440),  # ack met, assembly met
    (5, DEFAMATORY, Severity.HIGH, 20, 180, 1440),  # ack met, assembly missed
    (9, RUMOR, Severity.MEDIUM, 30, None, 1440),  # ack missed (15 min); never assembled in a day: missed
    (14, DEFAMATORY, Severity.MEDIUM, 40, None, 1440),  # ack missed; assembly missed
    (20, RUMOR, Severity.LOW, 5, None, 1440),  # ack met; assembly missed
    (28, DEFAMATORY, Severity.LOW, None, None, 10),  # over in 10 minutes: nothing reached, nothing missed
)


def add_incident(
    session: Session,
    n: int,
    detected: datetime,
    attack: AttackType,
    severity: Severity,
    ack: int | None,
    assembled: int | None,
    resolved: int | None,
    *,
    is_drill: bool = False,
    status: IncidentStatus = IncidentStatus.RESOLVED,
) -> Incident:
    target = session.scalars(select(Target)).first()
    if target is None:
        target = Target(key="hotel-des-lilas", name="Hôtel des Lilas")
        session.add(target)
        session.flush()
    incident = Incident(
        ref=f"{'EXE' if is_drill else 'CRI'}-2026-{n:04d}",
        title=f"incident {n}",
        attack_type=attack,
        severity=severity,
        status=status,
        target_id=target.id,
        is_drill=is_drill,
        last_signal_at=detected,
        first_signal_at=detected - 2 * MIN,
        detected_at=detected,
        acknowledged_at=detected + ack * MIN if ack is not None else None,
        cell_assembled_at=detected + assembled * MIN if assembled is not None else None,
        resolved_at=detected + resolved * MIN if resolved is not None else None,
    )
    session.add(incident)
    session.flush()
    return incident


@pytest.fixture
def crises(hotel: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(hotel) as session:
        owner = session.scalars(select(Person).where(Person.key == "sophie.marchand")).one()
        made = [
            add_incident(session, n, NOVEMBER.replace(day=day, hour=9), *rest)
            for n, (day, *rest) in enumerate(NOVEMBER_INCIDENTS, start=1)
        ]
        # October (the previous 30 days): acknowledged in 60 min (missed) and 20 min (met).
        add_incident(
            session, 20, datetime(2026, 10, 10, tzinfo=UTC), DEFAMATORY, Severity.MEDIUM, 60, 90, 600
        )
        add_incident(
            session, 21, datetime(2026, 10, 20, tzinfo=UTC), DEFAMATORY, Severity.MEDIUM, 20, 90, 600
        )
        # Left out: a dismissed incident, one in December, and a drill (reported apart).
        add_incident(
            session,
            30,
            NOVEMBER.replace(day=3),
            RUMOR,
            Severity.LOW,
            1,
            None,
            None,
            status=IncidentStatus.DISMISSED,
        )
        add_incident(session, 31, DECEMBER, RUMOR, Severity.LOW, 1, None, None)
        add_incident(session, 1, NOVEMBER.replace(day=4), DEFAMATORY, Severity.LOW, 7, 30, 300, is_drill=True)
        session.add_all(
            [
                Commitment(
                    incident_id=made[0].id,
                    text="Publier la politique",
                    owner_id=owner.id,
                    due_at=datetime(2026, 12, 1, tzinfo=UTC),
                    status=CommitmentStatus.OPEN,
                    created_at=NOVEMBER,
                    reminders_sent=0,
                ),
                Commitment(
                    incident_id=made[0].id,
                    text="Déjà tenu",
                    owner_id=owner.id,
                    due_at=DECEMBER,
                    status=CommitmentStatus.KEPT,
                    kept_at=NOVEMBER,
                    created_at=NOVEMBER,
                    reminders_sent=0,
                ),
                ActionItem(
                    incident_id=made[1].id,
                    number=1,
                    text="Second legal backup",
                    owner_id=owner.id,
                    due_at=datetime(2027, 1, 10, tzinfo=UTC),
                    created_at=NOVEMBER,
                    updated_at=NOVEMBER,
                ),
            ]
        )
    return hotel


def report(sessions: sessionmaker[Session], *, drills: bool = False) -> PeriodReport:
    with transaction(sessions) as session:
        return period_report(session, start=NOVEMBER, end=DECEMBER, drills=drills, as_of=AS_OF)


def test_counts_by_attack_type_and_severity(crises: sessionmaker[Session]) -> None:
    current = report(crises).current
    assert current.incidents == 6
    assert current.by_attack_type == {"defamatory_review": 4, "rumor": 2}
    assert current.by_severity == {"medium": 3, "low": 2, "high": 1}


def test_median_p90_and_share_of_targets_met(crises: sessionmaker[Session]) -> None:
    current = report(crises).current
    ack = current.metric("acknowledge")
    # acknowledged in 5, 10, 20, 30, 40 min (the sixth never was, and was over before its target)
    assert (ack.measured, ack.median, ack.p90) == (5, 20 * MIN, 40 * MIN)
    assert (ack.met, ack.missed, ack.share_met) == (3, 2, 0.6)
    assembly = current.metric("assemble")
    assert (assembly.measured, assembly.median, assembly.p90) == (2, 115 * MIN, 180 * MIN)
    assert (assembly.met, assembly.missed) == (1, 4)  # three never assembled within their day


def test_trend_against_the_previous_period_of_the_same_length(crises: sessionmaker[Session]) -> None:
    result = report(crises)
    assert result.previous.start == datetime(2026, 10, 2, tzinfo=UTC) and result.previous.end == NOVEMBER
    ack = result.previous.metric("acknowledge")
    assert (result.previous.incidents, ack.median, ack.share_met) == (2, 40 * MIN, 0.5)


def test_drills_are_reported_apart(crises: sessionmaker[Session]) -> None:
    drills = report(crises, drills=True)
    assert drills.current.incidents == 1
    assert drills.current.metric("acknowledge").median == 7 * MIN
    assert drills.commitments == () and drills.actions == ()


def test_open_commitments_and_action_items(crises: sessionmaker[Session]) -> None:
    result = report(crises)
    assert [(c.ref, c.label, c.text, c.overdue) for c in result.commitments] == [
        ("CRI-2026-0001", "C1", "Publier la politique", True)
    ]
    assert [(a.ref, a.label, a.owner, a.overdue) for a in result.actions] == [
        ("CRI-2026-0002", "A1", "Sophie Marchand", False)
    ]


def test_median_and_nearest_rank_percentile_by_hand() -> None:
    minutes = [timedelta(minutes=m) for m in (7, 1, 3, 9)]
    assert median(minutes) == 5 * MIN  # (3 + 7) / 2
    assert percentile(minutes, 0.9) == 9 * MIN  # rank ceil(3.6) = 4
    assert percentile(minutes, 0.5) == 3 * MIN  # rank 2
    ten = [timedelta(minutes=m) for m in range(1, 11)]
    assert percentile(ten, 0.9) == 9 * MIN and median(ten) == timedelta(minutes=5, seconds=30)
    assert median([]) is None and percentile([], 0.9) is None
