"""A request is one transaction, whatever its size: stored and triaged together, exactly as one by one."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from cellule.reporting import Reported, report_attacks
from flows.intake.reports import parse_report
from flows.runtime import Runtime, SimulatedClock
from models import (
    AttackType,
    Incident,
    LegalAction,
    PlatformReport,
    PublicReply,
    ReviewCase,
    Severity,
    Signal,
    TimelineEvent,
    transaction,
)
from tests.scenarios.hotel import load_hotel_kit

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
PLACES = ("Hôtel des Lilas", "Maison Brunel", "Le Relais du Port")


def review(n: int, *, target: str = PLACES[0], minutes: int | None = None, **overrides: object) -> dict:
    fields = {
        "target": target,
        "platform": "google",
        "external_id": f"g-{n}",
        "author": f"Voyageur {n}",
        "rating": 1 + n % 3,
        "text": f"Séjour numéro {n}, décevant.",
        "observed_at": (T0 + timedelta(minutes=n * 5 if minutes is None else minutes)).isoformat(),
    }
    return {**fields, **overrides}


def mixed_reports() -> list[dict]:
    """Reviews forming a burst, a surge, a lawyer's word, a repeat, a post, a drill, a later incident."""
    reports = [review(n) for n in range(1, 13)]
    reports.insert(3, review(2))  # the same review twice in one request
    reports.insert(6, review(40, minutes=17, text="Mon avocat va porter plainte.", rating=4))
    reports.append({"target": PLACES[0], "platform": "x", "text": "On dit que l'hôtel ferme.", "reach": 50})
    reports.append(review(50, target=PLACES[1]))
    reports.append(review(51, target=PLACES[0], is_drill=True))
    reports.append(review(52, minutes=60 * 24 * 9))  # after the correlation window: a second incident
    return reports


def reporter(sessions: sessionmaker[Session]) -> Runtime:
    load_hotel_kit(sessions)
    return Runtime(sessions=sessions, channels={}, clock=SimulatedClock(T0))


def report(runtime: Runtime, reports: list[dict]) -> list[Reported]:
    return report_attacks(runtime, [parse_report(r) for r in reports], source="api")


def count(sessions: sessionmaker[Session], model: type) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def what_the_store_says(sessions: sessionmaker[Session]) -> dict[str, list[tuple]]:
    with transaction(sessions) as session:
        return {
            "incidents": [
                tuple(r)
                for r in session.execute(
                    select(
                        Incident.ref, Incident.attack_type, Incident.severity, Incident.last_signal_at
                    ).order_by(Incident.id)
                )
            ],
            "timeline": [
                tuple(r)
                for r in session.execute(
                    select(
                        TimelineEvent.incident_id,
                        TimelineEvent.kind,
                        TimelineEvent.summary,
                        TimelineEvent.old,
                        TimelineEvent.new,
                    ).order_by(TimelineEvent.id)
                )
            ],
            "signals": [
                tuple(r) for r in session.execute(select(Signal.id, Signal.incident_id).order_by(Signal.id))
            ],
            "cases": [
                tuple(r)
                for r in session.execute(
                    select(ReviewCase.incident_id, ReviewCase.signal_id, ReviewCase.review_id).order_by(
                        ReviewCase.id
                    )
                )
            ],
        }


def test_a_batch_is_triaged_exactly_as_the_same_reports_one_by_one(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    runtime = reporter(sessions)
    one_by_one = [report(runtime, [r])[0] for r in mixed_reports()]
    expected = what_the_store_says(sessions)
    _empty(database_url)

    batch = report(reporter(sessions), mixed_reports())
    assert what_the_store_says(sessions) == expected
    assert [(o.new_signal, o.incident_ref, o.opened, o.regraded) for o in batch] == [
        (o.new_signal, o.incident_ref, o.opened, o.regraded) for o in one_by_one
    ]
    with transaction(sessions) as session:
        bombing = session.scalars(select(Incident).order_by(Incident.id)).first()
        assert bombing is not None
        assert (bombing.attack_type, bombing.severity) == (AttackType.REVIEW_BOMBING, Severity.CRITICAL)


def _empty(database_url: str) -> None:
    """The store as the fixture gave it: emptied, ids restarted."""
    from sqlalchemy import create_engine

    from models import Base

    engine = create_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):  # ids restart: no AUTOINCREMENT
                conn.execute(table.delete())
    engine.dispose()


def test_concurrent_batches_about_the_same_places_make_one_incident_per_place(
    sessions: sessionmaker[Session],
) -> None:
    runtime = reporter(sessions)
    reviews = [review(n, target=PLACES[n % 3], minutes=n % 50) for n in range(60)]

    def post(seed: int) -> list[Reported]:
        # Every worker sends every review, in its own order: repeats and races on every row.
        mine = random.Random(seed).sample(reviews, len(reviews))
        return [o for i in range(0, len(mine), 15) for o in report(runtime, mine[i : i + 15])]

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = [o for outcomes in pool.map(post, range(4)) for o in outcomes]

    assert count(sessions, Incident) == 3
    assert count(sessions, Signal) == 60 and count(sessions, ReviewCase) == 60
    assert sum(o.new_signal for o in answers) == 60
    assert sorted(o.incident_ref for o in answers if o.opened) == [f"CRI-2026-000{n}" for n in (1, 2, 3)]
    with transaction(sessions) as session:
        assert session.scalar(select(func.count()).where(Signal.incident_id.is_(None))) == 0
        kinds = session.execute(
            select(TimelineEvent.incident_id, TimelineEvent.kind, func.count())
            .where(TimelineEvent.kind.in_(["opened", "reclassified", "signal", "review_case_opened"]))
            .group_by(TimelineEvent.incident_id, TimelineEvent.kind)
        ).all()
        assert sorted(n for _, kind, n in kinds if kind in ("opened", "reclassified")) == [1] * 6
        assert sum(n for _, kind, n in kinds if kind == "signal") == 60 - 3
        assert sum(n for _, kind, n in kinds if kind == "review_case_opened") == 60
        for incident in session.scalars(select(Incident)):
            assert (incident.attack_type, incident.severity) == (AttackType.REVIEW_BOMBING, Severity.CRITICAL)


def test_a_failure_after_storing_leaves_nothing_behind(sessions: sessionmaker[Session]) -> None:
    """A signal stored but never triaged cannot exist: storing and triage commit together or not at all.

    The store itself refuses the last write of the triage (a trigger on the timeline), as a crash or an
    outage would end the transaction after the signals were written.
    """
    runtime = reporter(sessions)
    with _timeline_refused(sessions), pytest.raises(DBAPIError):
        report(runtime, [review(n) for n in range(1, 6)])
    for model in (Signal, Incident, ReviewCase, TimelineEvent):
        assert count(sessions, model) == 0, model.__name__
    [outcome] = report(runtime, [review(1)])  # sent again: it is new, nothing of the failure remains
    assert outcome.new_signal and outcome.opened


class _timeline_refused:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def __enter__(self) -> None:
        with transaction(self.sessions) as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(
                    text(
                        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                        "$$ BEGIN RAISE EXCEPTION 'the store went away'; END $$"
                    )
                )
                session.execute(
                    text("CREATE TRIGGER refuse BEFORE INSERT ON timeline_events EXECUTE FUNCTION refuse()")
                )
            else:
                session.execute(
                    text(
                        "CREATE TRIGGER refuse BEFORE INSERT ON timeline_events "
                        "BEGIN SELECT RAISE(ABORT, 'the store went away'); END"
                    )
                )

    def __exit__(self, *_: object) -> None:
        with transaction(self.sessions) as session:
            session.execute(text("DROP TRIGGER refuse" + (" ON timeline_events" if _pg(session) else "")))
            if _pg(session):
                session.execute(text("DROP FUNCTION refuse()"))


def _pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def test_the_same_words_about_another_place_are_a_new_signal_for_that_place(
    sessions: sessionmaker[Session],
) -> None:
    runtime = reporter(sessions)
    words = {"platform": "x", "text": "Arnaque, n'y allez pas.", "author": "anonyme"}
    [lilas] = report(runtime, [{"target": PLACES[0], **words}])
    [brunel] = report(runtime, [{"target": PLACES[1], **words}])
    [again] = report(runtime, [{"target": "hotel des lilas", **words}])  # another spelling, same place
    assert brunel.new_signal and brunel.opened and brunel.incident_id != lilas.incident_id
    assert (again.new_signal, again.signal_id, again.incident_id) == (
        False,
        lilas.signal_id,
        lilas.incident_id,
    )
    with transaction(sessions) as session:
        places = session.execute(
            select(Signal.id, Incident.title)
            .join(Incident, Incident.id == Signal.incident_id)
            .order_by(Signal.id)
        ).all()
    assert [title.split(" (")[0] for _, title in places] == [PLACES[0], PLACES[1]]


def test_a_review_in_a_bombing_is_a_case_whose_avenues_start_when_someone_acts(
    sessions: sessionmaker[Session],
) -> None:
    runtime = reporter(sessions)
    report(runtime, [review(n, minutes=n) for n in range(40)])
    assert count(sessions, ReviewCase) == 40
    for avenue in (PlatformReport, LegalAction, PublicReply):
        assert count(sessions, avenue) == 0, avenue.__name__
    with transaction(sessions) as session:
        labels = session.scalars(
            select(TimelineEvent.summary)
            .where(TimelineEvent.kind == "review_case_opened")
            .order_by(TimelineEvent.id)
        ).all()
    assert [label.split(":")[0] for label in labels] == [f"R{n}" for n in range(1, 41)]
