"""Handles: each platform's rules (length, characters), and names that agree across platforms."""

from __future__ import annotations

import hashlib

import pytest

from flows.kit.loading import example_kit_path, load_kit, read_kit
from flows.prepare.audit import audit, take_snapshot
from flows.prepare.findings import Category
from flows.prepare.usernames import broken_rule, same_name, usual_name
from models import transaction
from tests.prepare.scenario import EMAIL, NOW


@pytest.mark.parametrize(
    ("platform", "handle", "allowed"),
    [
        ("x", "hoteldeslilas", True),
        ("x", "hotel_des_lilas_annecy", False),  # 22 characters: X stops at 15
        ("x", "hotel.des.lilas", False),  # no periods on X
        ("twitter", "hotel-lilas", False),  # the old name, the same rules
        ("instagram", "hotel.des.lilas", True),
        ("instagram", "h" * 31, False),
        ("tiktok", "hoteldeslilas.", False),  # never ends with a period
        ("tiktok", "h", False),
        ("facebook", "lilas", True),
        ("facebook", "lila", False),  # at least 5
        ("facebook", "hotel_des_lilas", False),
        ("linkedin", "hotel-des-lilas", True),
        ("linkedin", "hl", False),
        ("youtube", "hotel-des.lilas_1", True),
        ("tripadvisor", "Hôtel des Lilas!", True),  # no rule kept here: nothing to say
    ],
)
def test_each_platform_has_its_rules(platform, handle, allowed):
    assert (broken_rule(platform, handle) is None) == allowed


def test_names_compare_without_the_punctuation_a_platform_forces():
    assert same_name("hotel.des.lilas") == same_name("Hotel_Des_Lilas") == same_name("hotel-des-lilas")
    assert same_name("lilas.annecy") != same_name("hoteldeslilas")
    assert usual_name(["lilas.annecy", "hoteldeslilas", "hotel_des_lilas"]) == "hoteldeslilas"
    assert usual_name([]) is None


@pytest.mark.parametrize("name", ["hotel", "food_brand"])
def test_the_example_kits_inventories_are_clean(sessions, name):
    path = example_kit_path(name)
    kit = read_kit(path)
    with transaction(sessions) as session:
        load_kit(session, kit=kit, source=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest())
        report = audit(take_snapshot(session, kit=kit, now=NOW, channels=EMAIL))

    # What a fresh install still lacks is drills and, where the kit ships a statement library, its
    # peacetime approvals; nothing about accounts, access, the roster or the other messages.
    assert {f.category for f in report.findings} <= {Category.DRILLS, Category.TEMPLATES}
    assert {f.code for f in report.findings if f.category == Category.TEMPLATES} <= {"statement_unapproved"}
