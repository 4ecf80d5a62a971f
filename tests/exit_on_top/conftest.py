"""Exit-on-top fixtures: the hotel's cell of CRI-2026-0001, on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy.orm import Session, sessionmaker

from flows.kit.loading import example_kit_path, load_kit, read_kit
from flows.kit.schema import ExitPolicy
from models import transaction
from tests.exit_on_top.scenario import ExitCell
from tests.quorum.scenario import load_hotel_kit, open_defamatory_review


@pytest.fixture
def cell(sessions: sessionmaker[Session]) -> ExitCell:
    """CRI-2026-0001 at the Hôtel des Lilas, its cell assembled, the hotel kit (statements in French)."""
    load_hotel_kit(sessions)
    return ExitCell(sessions, open_defamatory_review(sessions))


@pytest.fixture
def drill(sessions: sessionmaker[Session]) -> ExitCell:
    """The same, as a drill (EXE-…): nothing it does may ever be public."""
    load_hotel_kit(sessions)
    return ExitCell(sessions, open_defamatory_review(sessions, is_drill=True))


@pytest.fixture
def bilingual(sessions: sessionmaker[Session]) -> ExitCell:
    """The same, with a kit whose defamatory-review playbook speaks French and English."""
    path = example_kit_path("hotel")
    kit = read_kit(path)
    playbook = kit.playbooks["defamatory_review"]
    playbooks = {
        **kit.playbooks,
        "defamatory_review": playbook.model_copy(update={"exit": ExitPolicy(languages=["fr", "en"])}),
    }
    with transaction(sessions) as session:
        load_kit(
            session,
            kit=kit.model_copy(update={"playbooks": playbooks}),
            source=str(path),
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        )
    return ExitCell(sessions, open_defamatory_review(sessions))
