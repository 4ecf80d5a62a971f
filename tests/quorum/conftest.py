"""Fixtures for the quorum: the hotel's crisis cell, assembled on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import Person, transaction
from tests.quorum.scenario import Cell


@pytest.fixture
def cell(hotel: sessionmaker[Session], defamatory_review_at_hotel: int) -> Cell:
    """CRI-2026-0001 at the Hôtel des Lilas, its cell assembled (see HOTEL_CELL), with the hotel kit."""
    return Cell(hotel, defamatory_review_at_hotel)


@pytest.fixture
def people_ids(cell: Cell) -> dict[str, int]:
    """The kit's people by key."""
    with transaction(cell.sessions) as session:
        return {p.key: p.id for p in session.scalars(select(Person))}
