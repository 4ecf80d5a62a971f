"""The statement library: words approved in peacetime by the quorum's rules, offered first in a crisis."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from flows.exit_on_top.branches import ExitError
from flows.exit_on_top.library import offer_library_statements
from flows.exit_on_top.library_desk import approve_statement, library_entry, write_statement
from flows.exit_on_top.library_store import LibraryError
from flows.exit_on_top.statements import publish_statement
from flows.kit.loading import example_kit_path, load_kit, read_kit, require_kit
from flows.prepare.readiness import audit_now
from flows.quorum import approve_draft, edit_draft
from models import (
    Draft,
    DraftStatus,
    Incident,
    LibraryApproval,
    Notification,
    TimelineEvent,
    transaction,
)
from notifications.render import render_message
from tests.exit_on_top.scenario import T0, ExitCell

ENTRY = "fake-review-holding"
PEACETIME = T0 - timedelta(days=30)


def approve(cell: ExitCell, who: str, *, at=PEACETIME, locale: str = "fr") -> None:  # type: ignore[no-untyped-def]
    with transaction(cell.sessions) as session:
        approve_statement(session, key=ENTRY, locale=locale, person_key=who, at=at)


def edit(cell: ExitCell, who: str, text: str, *, at=PEACETIME) -> int:  # type: ignore[no-untyped-def]
    with transaction(cell.sessions) as session:
        return write_statement(
            session, key=ENTRY, locale="fr", person_key=who, text=text, at=at, new=False
        ).version


def offer(cell: ExitCell, *, at=T0) -> list[int]:  # type: ignore[no-untyped-def]
    """What exit on top does once the cell is assembled, with Sophie Marchand (comms lead) as lead."""
    with transaction(cell.sessions) as session:
        incident = session.get_one(Incident, cell.incident_id)
        lead = cell.person(session, "sophie.marchand")
        incident.lead_id = lead.id
        kit = require_kit(session)
        drafts = offer_library_statements(
            session,
            incident=incident,
            kit=kit,
            playbook=kit.playbook_for(incident.attack_type),
            lead=lead,
            at=at,
            available={"console"},
        )
        return [d.id for d in drafts]


def publish(cell: ExitCell, draft_id: int, who: str, *, at=T0 + timedelta(minutes=5)):  # type: ignore[no-untyped-def]
    with transaction(cell.sessions) as session:
        draft = session.get_one(Draft, draft_id)
        return publish_statement(
            session, draft=draft, person=cell.person(session, who), where="Google", at=at
        )


def approved(cell: ExitCell, *, at=T0) -> bool:  # type: ignore[no-untyped-def]
    with transaction(cell.sessions) as session:
        view = library_entry(session, key=ENTRY, now=at)
        return next(held for held in view.texts if held.locale == "fr").approved


def test_an_approved_entry_is_offered_first_and_the_lead_publishes_it_on_that_quorum(cell):
    approve(cell, "anne.roux")  # legal
    approve(cell, "henri.delacroix")  # executive: two distinct roles, as the playbook's policy asks
    [draft_id] = offer(cell)
    assert offer(cell) == []  # re-entrant: the language has its holding statement now
    with transaction(cell.sessions) as session:
        draft = session.get_one(Draft, draft_id)
        assert draft.status == DraftStatus.APPROVED
        assert "l'avis publié au sujet de Hôtel des Lilas" in draft.text
        assert "contact@hoteldeslilas.example" in draft.text
        [cited] = session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "statement_from_library"))
        kit_text = require_kit(session).statements[0].texts["fr"]
        assert cited.new["template_sha256"] == hashlib.sha256(kit_text.encode()).hexdigest()
        assert cited.new["text_sha256"] == draft.text_sha256
        assert [(a["name"], a["role"]) for a in cited.new["approvals"]] == [
            ("Me Anne Roux", "legal"),
            ("Henri Delacroix", "executive"),
        ]
        told = session.scalars(select(Notification).where(Notification.template == "library_statement")).one()
        assert told.context["person_key"] == "sophie.marchand"
    with pytest.raises(ExitError, match="published by the incident's lead"):
        publish(cell, draft_id, "claire.morel")
    publish(cell, draft_id, "sophie.marchand")
    with transaction(cell.sessions) as session:
        incident = session.get_one(Incident, cell.incident_id)
        assert incident.first_statement_at == T0 + timedelta(minutes=5)
        [event] = session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "statement_published"))
        assert event.new["rests_on_library"]["entry"] == ENTRY
        assert len(event.new["rests_on_library"]["approvals"]) == 2


def test_without_the_quorum_nothing_is_offered(cell):
    approve(cell, "anne.roux")  # one approval of the two the policy asks
    assert not approved(cell)
    assert offer(cell) == []


def test_editing_a_library_text_voids_its_approvals(cell):
    approve(cell, "anne.roux")
    approve(cell, "henri.delacroix")
    assert approved(cell)
    assert edit(cell, "claire.morel", "Nous avons lu l'avis sur {{ target }} et vérifions les faits.") == 2
    assert not approved(cell)
    with transaction(cell.sessions) as session:
        assert all(a.voided_at is not None for a in session.scalars(select(LibraryApproval)))
    assert offer(cell) == []
    approve(cell, "anne.roux")
    approve(cell, "henri.delacroix")
    assert approved(cell)


def test_a_text_changed_in_the_kit_voids_its_approvals_and_an_unchanged_reload_keeps_an_edit(cell):
    approve(cell, "anne.roux")
    approve(cell, "henri.delacroix")
    path = example_kit_path("hotel")
    kit = read_kit(path)
    with transaction(cell.sessions) as session:
        load_kit(session, kit=kit, source=str(path), sha256="same")  # the same words: nothing voided
    assert approved(cell)
    entry = kit.statements[0]
    changed = entry.model_copy(
        update={"texts": {**entry.texts, "fr": "Nous vérifions l'avis sur {{ target }}."}}
    )
    with transaction(cell.sessions) as session:
        load_kit(session, kit=kit.model_copy(update={"statements": [changed]}), source="edited", sha256="x")
    assert not approved(cell)


def test_nobody_approves_their_own_words(cell):
    with pytest.raises(LibraryError, match="Sophie Marchand wrote fake-review-holding"):
        approve(cell, "sophie.marchand")  # the entry's author, a comms lead
    edit(cell, "anne.roux", "Nous vérifions l'avis publié sur {{ target }}.")
    with pytest.raises(LibraryError, match="Me Anne Roux wrote"):
        approve(cell, "anne.roux")  # whoever wrote this version
    with pytest.raises(LibraryError, match="approving a library text takes one of these roles"):
        approve(cell, "claire.morel")  # a community manager: not an approving role


def test_only_declared_variables_may_be_used(cell):
    with pytest.raises(LibraryError, match="uses refund, which fake-review-holding does not declare"):
        edit(cell, "claire.morel", "Nous vous remboursons {{ refund }} euros.")


def test_an_expired_approval_is_not_offered_and_is_an_audit_finding(cell):
    long_ago = T0 - timedelta(days=200)  # the entry is reviewed every 6 months
    approve(cell, "anne.roux", at=long_ago)
    approve(cell, "henri.delacroix", at=long_ago)
    assert approved(cell, at=long_ago + timedelta(days=1))
    assert not approved(cell)
    assert offer(cell) == []
    with transaction(cell.sessions) as session:
        _, report = audit_now(session, now=T0, channels=frozenset({"console"}))
    found = {f.code: f for f in report.findings if f.code.startswith("statement_")}
    assert set(found) == {"statement_approval_expired", "statement_unapproved"}  # fr expired, en never
    expired = found["statement_approval_expired"]
    assert expired.subject == f"{ENTRY} (fr)"
    assert "lapsed on 2026-11-10" in expired.problem("en")
    assert "a expiré le 2026-11-10" in expired.problem("fr")
    assert "cellule statements approve fake-review-holding --lang fr" in expired.fix("en")


def test_a_library_draft_the_cell_changes_goes_through_the_crisis_quorum(cell):
    approve(cell, "anne.roux")
    approve(cell, "henri.delacroix")
    [draft_id] = offer(cell)
    with transaction(cell.sessions) as session:
        draft = session.get_one(Draft, draft_id)
        edit_draft(
            session,
            draft=draft,
            editor=cell.person(session, "claire.morel"),
            text=draft.text + " Merci de votre patience.",
            at=T0 + timedelta(minutes=2),
            available={"console"},
        )
    with pytest.raises(ExitError, match="awaiting_approval"):
        publish(cell, draft_id, "sophie.marchand")
    with transaction(cell.sessions) as session:
        draft = session.get_one(Draft, draft_id)
        for who in ("anne.roux", "emma.walsh"):
            approve_draft(
                session,
                draft=draft,
                person=cell.person(session, who),
                at=T0 + timedelta(minutes=3),
                available={"console"},
            )
    publication = publish(cell, draft_id, "claire.morel")  # an ordinary draft: any cell member posts it
    assert publication.by == "Claire Morel"


def test_the_publisher_is_told_in_their_language(cell):
    approve(cell, "anne.roux")
    approve(cell, "henri.delacroix")
    offer(cell)
    with transaction(cell.sessions) as session:
        context = session.scalars(
            select(Notification.context).where(Notification.template == "library_statement")
        ).one()
    french, english = (render_message("library_statement", locale, context) for locale in ("fr", "en"))
    assert "prêt à publier" in french.subject and "validée avant la crise" in french.text
    assert "ready to publish" in english.subject and "approved before the crisis" in english.text
    assert "Me Anne Roux" in english.text and "cellule publish CRI-2026-0001 D1" in english.text
