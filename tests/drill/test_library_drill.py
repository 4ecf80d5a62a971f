"""A drill of the fake review with the statement library: words approved in peacetime are out far sooner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from flows.drill.scenario import find_scenario, read_scenario
from flows.drill.simulated import DrillOutcome, play
from flows.exit_on_top.library_carry import CarriedText, approved_library
from flows.exit_on_top.library_store import approve_text
from flows.kit.loading import load_kit
from models import Person, transaction

pytestmark = pytest.mark.usefixtures("prefect_server")

PEACETIME = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)  # the library was approved three months before


def approved_hotel_library(fresh, kit) -> tuple[CarriedText, ...]:
    """The hotel's library as its real store holds it: approved by legal and the executive."""
    with fresh() as sessions, transaction(sessions) as session:
        load_kit(session, kit=kit, source="hotel", sha256="test")
        for key in ("anne.roux", "henri.delacroix"):
            person = session.scalars(select(Person).where(Person.key == key)).one()
            approve_text(
                session,
                kit=kit,
                key="fake-review-holding",
                locale="fr",
                person=person,
                at=PEACETIME,
                version=None,
            )
        return approved_library(session, kit=kit, now=PEACETIME + timedelta(days=1))


def first_statement(outcome: DrillOutcome) -> timedelta:
    result = next(r for r in outcome.results if r.key == "first_statement")
    assert result.value is not None, "the holding statement was never published"
    return result.value


def test_a_library_entry_gets_the_first_statement_out_far_sooner(fresh, hotel_kit):
    played = read_scenario(find_scenario("fake-review"))
    library = approved_hotel_library(fresh, hotel_kit)
    assert [(t.entry_key, t.locale, len(t.approvals)) for t in library] == [("fake-review-holding", "fr", 2)]
    for seed in (0, 1):  # the same people, delays and absences with and without the library
        runs = {}
        for name, carried in (("without", ()), ("with", library)):
            with fresh() as sessions:
                runs[name] = play(
                    played, hotel_kit, seed=seed, sessions=sessions, kit_sha256="test", library=carried
                )
        without, with_library = first_statement(runs["without"]), first_statement(runs["with"])
        print(f"seed {seed}: first statement published {without} without the library, {with_library} with it")
        assert with_library * 3 < without
        results = {r.key: r for r in runs["with"].results}
        assert results["holding_approved"].value == results["assemble"].value  # no quorum to wait for
        assert results["quorum_respected"].met and results["first_statement"].met
        cited = [e for e in runs["with"].events if e["kind"] == "statement_from_library"]
        assert len(cited) == 1
        assert "Me Anne Roux (legal)" in str(cited[0]["summary"])
        assert "Henri Delacroix (executive)" in str(cited[0]["summary"])
        assert not [e for e in runs["without"].events if e["kind"] == "statement_from_library"]
        assert not [e for e in runs["with"].events if e["kind"] == "stumble"]
