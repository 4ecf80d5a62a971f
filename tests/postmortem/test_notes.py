"""The hot wash: pre-filled facts exported for people to edit, their words stored, action items tracked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.postmortem import NotesError, NotesFile, apply_notes, export_notes
from models import ActionItem, ActionStatus, Incident, PostMortem, TimelineEvent, transaction
from tests.postmortem.scenario import Built
from tests.postmortem.support import NOW, PARIS, parse, record_of, render, section


def store(sessions: sessionmaker[Session], built: Built, notes: dict, at: datetime = NOW) -> None:
    with transaction(sessions) as session:
        incident = session.get_one(Incident, built.incident_id)
        apply_notes(
            session,
            incident=incident,
            notes=NotesFile.model_validate(notes),
            by="sophie.marchand",
            zone=PARIS,
            at=at,
        )


def test_the_export_holds_the_facts_pre_filled_and_the_action_items(
    hotel: sessionmaker[Session], resolved: Built
) -> None:
    exported = yaml.safe_load(export_notes(record_of(hotel, resolved), locale="en", zone=PARIS, as_of=NOW))
    assert "Cell assembled: 2 h 30, against a target of 2 h 00" in exported["went_wrong"]
    assert "Henri Delacroix could not take the role of executive" in exported["went_wrong"]
    assert "Escalation: role legal unanswered: escalation tier 1 told" in exported["went_wrong"]
    assert "First acknowledgement: 12 min, within the target of 30 min" in exported["went_well"]
    assert "The platform removed review R1 (google): platforms seldom do" in exported["lucky"]
    assert exported["action_items"] == [
        {
            "id": "A1",
            "text": "Name a second legal backup",
            "owner": "sophie.marchand",
            "due": date(2026, 12, 16),
            "status": "open",
        }
    ]


def test_edited_notes_replace_the_facts_and_new_action_items_are_numbered(
    hotel: sessionmaker[Session], resolved: Built
) -> None:
    store(
        hotel,
        resolved,
        {
            "went_well": ["Counsel read every word <fast>"],
            "action_items": [
                {
                    "id": "A1",
                    "text": "Name a second legal backup",
                    "owner": "sophie.marchand",
                    "due": "2026-12-16",
                    "status": "done",
                },
                {"text": "Rehearse a review bombing", "owner": "claire.morel", "due": "2027-01-31"},
            ],
        },
    )
    tree = parse(render(record_of(hotel, resolved)))
    assert [li.texts() for li in section(tree, "went_well").all("li")] == ["Counsel read every word <fast>"]
    assert "Pre-filled" not in section(tree, "went_well").texts()
    assert "Pre-filled" in section(tree, "went_wrong").texts()  # not edited: still the facts
    rows = [[td.texts() for td in tr.all("td")] for tr in section(tree, "actions").all("tr")[1:]]
    assert [(r[0], r[1], r[2], r[4].split(" (")[0]) for r in rows] == [
        ("A1", "Name a second legal backup", "Sophie Marchand", "done"),
        ("A2", "Rehearse a review bombing", "Claire Morel", "open"),
    ]
    with transaction(hotel) as session:
        items = {a.number: a for a in session.scalars(select(ActionItem))}
        assert items[1].done_at == NOW and items[2].status is ActionStatus.OPEN
        # due at the end of the day in the writer's zone: 31 Jan 23:59 in Paris is 22:59 UTC
        assert items[2].due_at == datetime(2027, 1, 31, 22, 59, tzinfo=UTC)
        kinds = session.scalars(
            select(TimelineEvent.kind).where(TimelineEvent.kind == "postmortem_notes")
        ).all()
        assert kinds == ["postmortem_notes"]


def test_notes_naming_an_unknown_owner_or_item_change_nothing(
    hotel: sessionmaker[Session], resolved: Built
) -> None:
    bad = {
        "went_well": ["should not be stored"],
        "action_items": [
            {"text": "x", "owner": "nobody.here", "due": "2027-01-01"},
            {"id": "A9", "text": "y", "owner": "claire.morel", "due": "2027-01-01"},
        ],
    }
    with pytest.raises(NotesError) as refused:
        store(hotel, resolved, bad)
    assert str(refused.value).splitlines() == [
        "action_items.0.owner: 'nobody.here' is not one of the people of the kit",
        "action_items.1.id: CRI-2026-0001 has no action item A9",
    ]
    with transaction(hotel) as session:
        assert session.scalars(select(PostMortem)).all() == []
        assert len(session.scalars(select(ActionItem)).all()) == 1


def test_reopening_a_done_item_clears_when_it_was_done(hotel: sessionmaker[Session], resolved: Built) -> None:
    item = {"id": "A1", "text": "Name a second legal backup", "owner": "sophie.marchand", "due": "2026-12-16"}
    store(hotel, resolved, {"action_items": [item | {"status": "done"}]})
    store(hotel, resolved, {"action_items": [item | {"status": "open"}]}, at=NOW + timedelta(days=1))
    with transaction(hotel) as session:
        row = session.scalars(select(ActionItem)).one()
        assert (row.status, row.done_at) == (ActionStatus.OPEN, None)
