"""The customer list: a CSV read strictly (every problem with its line number), imported without doubles,
and looked up to say whether the reviewer was ever a customer. Store tests on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cellule.commands.common import hint_for
from flows.reviews import (
    CustomerFileError,
    ReviewError,
    import_customers,
    look_up_customer,
    read_customer_csv,
)
from models import Customer, WasCustomer, transaction
from tests.reviews.scenario import T0, Hotel

GUESTS = (
    "name,email,booking_reference\n"
    "Élodie Martin,Elodie.Martin@example.fr,LIL-2026-0412\n"
    "John Carter,john.carter@example.com,LIL 2026 0388\n"
    '"Fontana, Marco",,LIL-2026-0101\n'
)


def load(hotel: Hotel, text: str = GUESTS):  # type: ignore[no-untyped-def]
    with transaction(hotel.sessions) as session:
        return import_customers(session, rows=read_customer_csv(text), at=T0)


def look_up(hotel: Hotel, **criteria: str):  # type: ignore[no-untyped-def]
    return hotel.act(lambda s, c: look_up_customer(s, case=c, at=T0, actor="claire.morel", **criteria))


def test_columns_may_come_in_any_order_and_values_are_trimmed() -> None:
    rows = read_customer_csv("booking_reference, Name ,email\r\n  AB12 ,  Ana Lima ,\r\n")
    assert [(r.line, r.name, r.email, r.booking_reference) for r in rows] == [(2, "Ana Lima", None, "AB12")]


def test_every_problem_is_told_with_its_line_number() -> None:
    text = (
        "name,email,booking_reference\n"
        "Ana Lima,ana@example.com,AB12\n"
        ",,\n"  # blank: skipped
        "Paul,not-an-email,\n"
        "Zoé,zoe@example.com,CD34,extra\n"
        f"{'x' * 201},,EF56\n"
        " , , \n"
    )
    with pytest.raises(CustomerFileError) as raised:
        read_customer_csv(text)
    assert str(raised.value).splitlines() == [
        "The customer file was not imported:",
        "line 4: 'not-an-email' is not an email address",
        "line 5: 4 fields, the header names 3",
        "line 6: name is too long (201 characters; at most 200)",
    ]


@pytest.mark.parametrize(
    "text, reason",
    [
        (
            "",
            "line 1: the first line must name the columns name,email,booking_reference (any order); missing",
        ),
        ("Ana,ana@example.com,AB12\n", "missing: name, email, booking_reference"),
        ("name,email,booking_reference,phone\n", "unknown: phone"),
        ("name,email,booking_reference\n", "the file has a header but no customer"),
        ('name,email,booking_reference\n"Ana,ana@example.com,AB12\n', "line 2: unexpected end of data"),
    ],
)
def test_a_file_without_its_header_or_customers_is_refused(text: str, reason: str) -> None:
    with pytest.raises(CustomerFileError, match=re.escape(reason)):
        read_customer_csv(text)


def test_importing_the_same_file_twice_adds_nobody_twice(hotel: Hotel) -> None:
    first, second = load(hotel), load(hotel)
    assert (first.added, first.already_known, second.added, second.already_known) == (3, 0, 0, 3)
    with transaction(hotel.sessions) as session:
        stored = sorted((c.name, c.email, c.booking_reference) for c in session.scalars(select(Customer)))
    assert stored == [
        ("Fontana, Marco", None, "LIL-2026-0101"),
        ("John Carter", "john.carter@example.com", "LIL20260388"),
        ("Élodie Martin", "elodie.martin@example.fr", "LIL-2026-0412"),
    ]


def test_a_booking_reference_the_reviewer_gave_and_we_do_not_have_means_not_a_customer(hotel: Hotel) -> None:
    load(hotel)
    found = look_up(hotel, booking_reference="lil-2026-9999")
    case = hotel.case()
    assert (found.was_customer, case.was_customer) == (WasCustomer.NO, WasCustomer.NO)
    assert case.customer_match == "no booking reference 'lil-2026-9999' among 3 customers"
    [event] = hotel.timeline("customer_lookup")
    assert event.old is not None and event.old["was_customer"] == "unknown"


@pytest.mark.parametrize(
    "criteria, how",
    [
        ({"booking_reference": "lil 2026 0388"}, "booking reference 'lil 2026 0388' is in the customer list"),
        ({"email": " ELODIE.martin@example.fr "}, "email 'ELODIE.martin@example.fr' is in the customer list"),
        ({"name": "elodie  MARTIN"}, "name 'elodie  MARTIN' is in the customer list"),
    ],
)
def test_a_match_by_booking_email_or_name_means_a_customer(
    hotel: Hotel, criteria: dict[str, str], how: str
) -> None:
    load(hotel)
    look_up(hotel, **criteria)
    case = hotel.case()
    assert (case.was_customer, case.customer_match) == (WasCustomer.YES, how)


def test_the_automatic_lookup_by_display_name_only_ever_says_yes(hotel: Hotel) -> None:
    load(hotel)  # Marc Fontaine is not in the list (Marco Fontana is)
    outcome = look_up(hotel)
    assert (outcome.was_customer, outcome.changed) == (WasCustomer.UNKNOWN, False)
    assert (hotel.case().was_customer, hotel.timeline("customer_lookup")) == (WasCustomer.UNKNOWN, [])
    load(hotel, "name,email,booking_reference\nMarc Fontaine,,\n")
    assert look_up(hotel).was_customer == WasCustomer.YES
    assert hotel.case().customer_match == "name 'Marc Fontaine' is in the customer list"


def test_a_namesake_in_the_list_does_not_overrule_the_booking_reference(hotel: Hotel) -> None:
    load(hotel, GUESTS + "Marc Fontaine,,\n")  # a guest who shares the reviewer's display name
    look_up(hotel, booking_reference="LIL-2026-9999")  # the reference the reviewer gave is not ours

    assert look_up(hotel).changed is False  # by the display name
    assert look_up(hotel, name="Marc Fontaine").changed is False
    case = hotel.case()
    assert (case.was_customer, case.customer_match) == (
        WasCustomer.NO,
        "no booking reference 'LIL-2026-9999' among 4 customers",
    )


@pytest.mark.parametrize(
    "criteria, reason",
    [
        ({"email": "a@b.fr", "name": "Marc"}, "one thing at a time"),
    ],
)
def test_one_criterion_at_a_time(hotel: Hotel, criteria: dict[str, str], reason: str) -> None:
    load(hotel)
    with pytest.raises(ReviewError, match=reason):
        look_up(hotel, **criteria)


def test_without_a_customer_list_the_reviewer_stays_unknown(hotel: Hotel) -> None:
    before = hotel.snapshot()
    with pytest.raises(ReviewError, match="No customer list yet: import one") as refused:
        look_up(hotel, booking_reference="X1")
    assert "cellule review customers import" in (hint_for(refused.value) or "")  # the CLI names the command
    assert hotel.snapshot() == before
