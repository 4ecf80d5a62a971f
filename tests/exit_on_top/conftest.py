"""Exit-on-top fixtures: the hotel's cell of CRI-2026-0001, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from flows.kit.schema import ExitPolicy, Kit
from tests.exit_on_top.scenario import ExitCell
from tests.scenarios.hotel import load_hotel_kit, open_defamatory_review


@pytest.fixture
def cell(hotel: sessionmaker[Session], defamatory_review_at_hotel: int) -> ExitCell:
    """CRI-2026-0001 at the Hôtel des Lilas, its cell assembled, the hotel kit (statements in French)."""
    return ExitCell(hotel, defamatory_review_at_hotel)


@pytest.fixture
def drill(hotel: sessionmaker[Session]) -> ExitCell:
    """The same, as a drill (EXE-…): nothing it does may ever be public."""
    return ExitCell(hotel, open_defamatory_review(hotel, is_drill=True))


@pytest.fixture
def bilingual(sessions: sessionmaker[Session], hotel_kit: Kit) -> ExitCell:
    """The same, with a kit whose defamatory-review playbook speaks French and English."""
    playbook = hotel_kit.playbooks["defamatory_review"]
    playbooks = {
        **hotel_kit.playbooks,
        "defamatory_review": playbook.model_copy(update={"exit": ExitPolicy(languages=["fr", "en"])}),
    }
    load_hotel_kit(sessions, kit=hotel_kit.model_copy(update={"playbooks": playbooks}))
    return ExitCell(sessions, open_defamatory_review(sessions))
