"""The example hotel and its crisis cell: the scenario most tests start from.

The Hôtel des Lilas is the example kit `hotel` (cellule/kits/hotel.yaml). CRI-2026-0001 is a fake one-star
Google review of it, opened at T0, whose cell is HOTEL_CELL: Claire Morel (community manager), Sophie
Marchand (comms lead), Emma Walsh (comms lead, called, not answered yet), Me Anne Roux (legal), Henri
Delacroix (executive, declined), Thomas Girard (agency). The hotel's approval policy: two approvals from
distinct roles among comms_lead, legal and executive.

tests/conftest.py registers this module as a plugin, so its fixtures serve every test:
- `hotel_kit`: the example kit, read and checked once per session;
- `hotel`: a store (SQLite, then PostgreSQL) with that kit loaded;
- `defamatory_review_at_hotel`: CRI-2026-0001 in that store, its cell assembled; the incident's id;
- `console` and `runtime`: the live runtime on the hotel's store, alerting through the console only.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.kit.loading import example_kit_path, load_kit, read_kit
from flows.kit.schema import Kit
from flows.runtime import Runtime
from models import (
    AttackType,
    Incident,
    IncidentStatus,
    Participant,
    ParticipantStatus,
    Person,
    Severity,
    Target,
    transaction,
)
from notifications import ConsoleChannel

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
HOLDING = (
    "Bonjour, nous avons pris connaissance de votre avis et nous le prenons au sérieux. "
    "Nous vérifions les faits et revenons vers vous très vite."
)

# The cell of CRI-2026-0001 (the hotel kit's people): who holds which role, and how they answered.
HOTEL_CELL = (
    ("claire.morel", "community_manager", ParticipantStatus.ACKNOWLEDGED),
    ("sophie.marchand", "comms_lead", ParticipantStatus.ACKNOWLEDGED),
    ("emma.walsh", "comms_lead", ParticipantStatus.CALLED),  # the backup, called too, not answered yet
    ("anne.roux", "legal", ParticipantStatus.ACKNOWLEDGED),
    ("henri.delacroix", "executive", ParticipantStatus.DECLINED),
    ("thomas.girard", "agency", ParticipantStatus.ACKNOWLEDGED),
)
# lucas.perrin, isabelle.delacroix, karim.benali and olivia.bennett are in the kit but not in this cell.


def load_hotel_kit(sessions: sessionmaker[Session], kit: Kit | None = None) -> None:
    """What `cellule kit load hotel` does: the example kit (or `kit`, a variant of it) loaded in one
    transaction."""
    path = example_kit_path("hotel")
    with transaction(sessions) as session:
        load_kit(
            session,
            kit=kit if kit is not None else read_kit(path),
            source=str(path),
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        )


def person(session: Session, key: str) -> Person:
    """The kit's person with this key."""
    return session.scalars(select(Person).where(Person.key == key)).one()


def open_defamatory_review(sessions: sessionmaker[Session], *, is_drill: bool = False) -> int:
    """Incident CRI-2026-0001, a fake one-star review, with the cell of HOTEL_CELL; its id.

    The hotel kit must be loaded."""
    with transaction(sessions) as session:
        target = Target(key="hotel-des-lilas", name="Hôtel des Lilas")
        session.add(target)
        session.flush()
        incident = Incident(
            ref="CRI-2026-0001",
            title="Faux avis une étoile sur Google",
            attack_type=AttackType.DEFAMATORY_REVIEW,
            severity=Severity.MEDIUM,
            status=IncidentStatus.ASSEMBLED,
            target_id=target.id,
            is_drill=is_drill,
            last_signal_at=T0,
            first_signal_at=T0,
            detected_at=T0,
        )
        session.add(incident)
        session.flush()
        for key, role, status in HOTEL_CELL:
            join_cell(session, incident.id, key, role, status)
        return incident.id


def join_cell(
    session: Session,
    incident_id: int,
    key: str,
    role: str,
    status: ParticipantStatus = ParticipantStatus.ACKNOWLEDGED,
) -> None:
    """`key` called at T0 to `role` (rank 1), answering five minutes later as `status` says."""
    answered = T0 + timedelta(minutes=5)
    session.add(
        Participant(
            incident_id=incident_id,
            person_id=person(session, key).id,
            role=role,
            rank=1,
            status=status,
            called_at=T0,
            acknowledged_at=answered if status == ParticipantStatus.ACKNOWLEDGED else None,
            declined_at=answered if status == ParticipantStatus.DECLINED else None,
        )
    )
    session.flush()


@pytest.fixture(scope="session")
def hotel_kit() -> Kit:
    """The example kit of the Hôtel des Lilas, read and checked."""
    return read_kit(example_kit_path("hotel"))


@pytest.fixture
def hotel(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A store with the example kit of the Hôtel des Lilas loaded (its accounts and access included)."""
    load_hotel_kit(sessions)
    return sessions


@pytest.fixture
def defamatory_review_at_hotel(hotel: sessionmaker[Session]) -> int:
    """CRI-2026-0001 at the Hôtel des Lilas, its cell assembled (see HOTEL_CELL); the incident's id."""
    return open_defamatory_review(hotel)


@pytest.fixture
def console() -> io.StringIO:
    """What the console channel printed."""
    return io.StringIO()


@pytest.fixture
def runtime(hotel: sessionmaker[Session], console: io.StringIO) -> Runtime:
    """The live runtime on the hotel's store, alerting through the console channel only."""
    return Runtime(sessions=hotel, channels={"console": ConsoleChannel(console)})
