"""Fixtures for the quorum: the hotel's crisis cell, assembled on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import Person, transaction
from tests.quorum.scenario import Cell, load_hotel_kit, open_defamatory_review


@pytest.fixture
def cell(sessions: sessionmaker[Session]) -> Cell:
    """CRI-2026-0001 at the Hôtel des Lilas, its cell assembled (see HOTEL_CELL), with the hotel kit."""
    load_hotel_kit(sessions)
    return Cell(sessions, open_defamatory_review(sessions))


@pytest.fixture
def people_ids(cell: Cell) -> dict[str, int]:
    """The kit's people by key."""
    with transaction(cell.sessions) as session:
        return {p.key: p.id for p in session.scalars(select(Person))}
