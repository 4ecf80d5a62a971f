"""A playbook's optional `exit:` section: statement languages and templates, commitments, exit criteria.

Kits without it keep working with the defaults; mistakes in it are reported at their line.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from flows.kit.loading import KitError, example_kit_path, read_kit

KIT = """\
kit:
  name: Hôtel des Lilas
  owner: claire
people:
  - key: claire
    name: Claire Morel
roster:
  community_manager: [claire]
playbooks:
  default:
    cell:
      - role: community_manager
    exit:
      languages: [fr, en]
      guidelines_url: https://hoteldeslilas.example/charte
      commitment_due: 14d
      commitment_reminders: {before: 2d, every: 1d, at_most: 5}
      criteria: {avenues_concluded: false, commitments_if_not_handled: 2}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kit.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["hotel", "food_brand"])
def test_the_example_kits_exit_with_the_defaults(name):
    for playbook in read_kit(example_kit_path(name)).playbooks.values():
        assert playbook.exit.languages is None  # the kit's own language
        assert playbook.exit.templates.holding == "statement_holding"
        assert playbook.exit.commitment_due == timedelta(days=30)
        assert playbook.exit.criteria.commitments_if_not_handled == 1


def test_an_exit_section_says_languages_links_delays_and_criteria(tmp_path):
    policy = read_kit(write(tmp_path, KIT)).playbooks["default"].exit
    assert policy.languages == ["fr", "en"]
    assert policy.guidelines_url == "https://hoteldeslilas.example/charte"
    assert policy.commitment_due == timedelta(days=14)
    assert (policy.commitment_reminders.before, policy.commitment_reminders.at_most) == (timedelta(days=2), 5)
    assert not policy.criteria.avenues_concluded and policy.criteria.statements_published


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        ("languages: [fr, en]", "languages: [fr, fr]", 14, "each language once"),
        ("languages: [fr, en]", "languages: [fr, de]", 14, "de"),
        (
            "      commitment_due: 14d\n",
            "      commitment_due: 14d\n      templates: {holding: statement_hold}\n",
            17,
            "no statement template 'statement_hold'",
        ),
        (
            "      commitment_due: 14d\n",
            "      commitment_due: 14d\n      templates: {holding: alert}\n",
            17,
            "starts with statement_, like statement_holding (got 'alert')",
        ),
        (
            "guidelines_url: https://hoteldeslilas.example/charte",
            "guidelines_url: notre charte",
            15,
            "guidelines_url",
        ),
    ],
)
def test_a_mistake_in_the_exit_section_is_reported_at_its_line(tmp_path, old, new, line, says):
    assert KIT.count(old) == 1
    with pytest.raises(KitError) as refused:
        read_kit(write(tmp_path, KIT.replace(old, new)))
    assert f"kit.yaml:{line}:" in str(refused.value) and says in str(refused.value)
