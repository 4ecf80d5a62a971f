"""A fake one-star Google review of the Hôtel des Lilas, reported through intake, its crisis cell assembled,
and the cell's actions on the review case as plain calls (one transaction each, as the CLI makes them).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cellule.reporting import Reported, report_attacks
from flows.intake.reports import parse_report
from flows.reviews import (
    draft_reply,
    ensure_avenues,
    find_case,
    publish_reply,
    record_decision,
    record_legal,
    record_outcome,
    record_reviewer_contacted,
    report_review,
)
from flows.reviews.connectors import ReplyConnector
from flows.reviews.public_reply import PublishOutcome
from flows.runtime import Runtime, SimulatedClock
from models import (
    Approval,
    Draft,
    Incident,
    LegalAction,
    Notification,
    Person,
    PlatformReport,
    PublicReply,
    ReviewCase,
    ReviewOutcome,
    TimelineEvent,
    transaction,
)
from notifications import ConsoleChannel
from tests.quorum.scenario import Cell
from tests.scenarios.hotel import HOTEL_CELL, T0, join_cell, load_hotel_kit, person

GOOGLE_REVIEW_ID = "ChdDSUhNMG9nS0VJQ0FnSUN4a1pyQkZ3EAE"
FAKE_REVIEW = (
    "Séjour catastrophique : chambre sale, accueil odieux, on nous a facturé une nuit de trop. "
    "Je déconseille cet hôtel à tout le monde !"
)


def fake_review(**overrides: Any) -> Any:
    """Claire reports the one-star Google review of someone the hotel never hosted."""
    fields: dict[str, Any] = {
        "target": "Hôtel des Lilas",
        "platform": "google",
        "external_id": GOOGLE_REVIEW_ID,
        "url": f"https://maps.google.com/?cid=123&review={GOOGLE_REVIEW_ID}",
        "author": "Marc Fontaine",
        "rating": 1,
        "text": FAKE_REVIEW,
        "observed_at": T0 - timedelta(minutes=20),
        "reported_by": "claire.morel",
    }
    return parse_report({**fields, **overrides})


@dataclass
class Hotel:
    """CRI-2026-0001: the fake review's incident and its crisis cell, acting on review case R1."""

    sessions: sessionmaker[Session]
    clock: SimulatedClock
    incident_id: int = 0
    available: frozenset[str] = frozenset({"console"})
    console: io.StringIO = field(default_factory=io.StringIO)

    @property
    def runtime(self) -> Runtime:
        return Runtime(self.sessions, {"console": ConsoleChannel(self.console)}, self.clock)

    @property
    def cell(self) -> Cell:
        """The quorum's scenario, for approving, rejecting and editing drafts."""
        return Cell(self.sessions, self.incident_id, self.available)

    def report(self, **overrides: Any) -> Reported:
        [outcome] = report_attacks(self.runtime, [fake_review(**overrides)], source="cli")
        return outcome

    def assemble(self) -> None:
        with transaction(self.sessions) as session:
            for key, role, status in HOTEL_CELL:
                join_cell(session, self.incident_id, key, role, status)

    def act(self, action: Any, label: str = "R1") -> Any:
        """Run `action(session, case)` in one transaction; what it returns."""
        with transaction(self.sessions) as session:
            incident = session.get_one(Incident, self.incident_id)
            return action(session, find_case(session, incident=incident, label=label))

    def person(self, session: Session, key: str) -> Person:
        return person(session, key)

    # ── the avenues, one transaction each ──────────────────────────────────────────────────────────────

    def contacted(self, when: datetime, *, at: datetime) -> PlatformReport:
        return self.act(lambda s, c: record_reviewer_contacted(s, case=c, contacted_at=when, at=at))

    def report_to_platform(self, reason: str, *, at: datetime, **kwargs: Any) -> PlatformReport:
        return self.act(
            lambda s, c: report_review(s, case=c, reason=reason, at=at, actor="claire.morel", **kwargs)
        )

    def decision(self, decision: str, *, at: datetime, **kwargs: Any) -> PlatformReport:
        return self.act(
            lambda s, c: record_decision(s, case=c, decision=decision, decided_at=at, at=at, **kwargs)
        )

    def legal(self, *, at: datetime, **kwargs: Any) -> LegalAction:
        return self.act(lambda s, c: record_legal(s, case=c, at=at, actor="anne.roux", **kwargs))

    def draft_reply(self, *, by: str = "claire.morel", tone: str = "factual", locale: str = "fr") -> Draft:
        return self.act(
            lambda s, c: draft_reply(
                s,
                case=c,
                author=self.person(s, by),
                tone=tone,
                locale=locale,
                at=self.clock.now(),
                available=set(self.available),
            )
        )

    def publish(self, connector: ReplyConnector, *, by: str = "claire.morel", at: datetime) -> PublishOutcome:
        return self.act(
            lambda s, c: publish_reply(s, case=c, connector=connector, person=self.person(s, by), at=at)
        )

    def outcome(self, outcome: ReviewOutcome, *, at: datetime, **ratings: float) -> ReviewCase:
        return self.act(lambda s, c: record_outcome(s, case=c, outcome=outcome, at=at, **ratings))

    # ── reading the store ──────────────────────────────────────────────────────────────────────────────

    def cases(self) -> list[ReviewCase]:
        with transaction(self.sessions) as session:
            return list(session.scalars(select(ReviewCase).order_by(ReviewCase.id)))

    def case(self) -> ReviewCase:
        return self.act(lambda s, c: c)

    def avenues(self) -> Any:
        return self.act(lambda s, c: ensure_avenues(s, case=c))

    def outbox(self, template: str | None = None) -> list[Notification]:
        with transaction(self.sessions) as session:
            query = select(Notification).order_by(Notification.id)
            if template:
                query = query.where(Notification.template == template)
            return list(session.scalars(query))

    def timeline(self, *kinds: str) -> list[TimelineEvent]:
        with transaction(self.sessions) as session:
            query = select(TimelineEvent).order_by(TimelineEvent.id)
            if kinds:
                query = query.where(TimelineEvent.kind.in_(kinds))
            return list(session.scalars(query))

    def snapshot(self) -> dict[str, list[Any]]:
        """Everything a review action may write, to compare before and after a refused one."""
        with transaction(self.sessions) as session:

            def rows(model: Any) -> list[Any]:
                table = model.__table__
                return [tuple(r) for r in session.execute(select(table).order_by(table.c.id))]

            return {
                name: rows(model)
                for name, model in (
                    ("cases", ReviewCase),
                    ("reports", PlatformReport),
                    ("legal", LegalAction),
                    ("replies", PublicReply),
                    ("drafts", Draft),
                    ("approvals", Approval),
                    ("outbox", Notification),
                    ("timeline", TimelineEvent),
                    ("incidents", Incident),
                )
            }


def hotel_with_fake_review(sessions: sessionmaker[Session], *, is_drill: bool = False) -> Hotel:
    """The hotel kit loaded, the fake review reported (opening CRI-2026-0001 and case R1), the cell joined."""
    load_hotel_kit(sessions)
    hotel = Hotel(sessions, SimulatedClock(T0))
    hotel.incident_id = hotel.report(is_drill=is_drill).incident_id
    hotel.assemble()
    return hotel
