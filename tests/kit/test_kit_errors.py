"""A kit with a mistake is refused with FILE:LINE: field: reason, and the store keeps the kit it had."""

from collections.abc import Callable

import pytest

from flows.kit.loading import MAX_KIT_BYTES, KitError, example_kit_path, read_kit


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1, f"the small kit no longer has exactly one {old!r}"
        return text.replace(old, new)

    return edit


def latin1(text: str) -> bytes:
    return text.encode("latin-1")  # "Hôtel" on line 2 is then not UTF-8


def oversized(text: str) -> str:
    return text + "# a long comment line, repeated until the file is over a megabyte\n" * 20_000


MISTAKES = [
    pytest.param(
        replace("    email:", "    emial:"), 7, "people.0.emial", "unknown field (typo?)", id="unknown-field"
    ),
    pytest.param(
        replace("- role: community_manager", "- role: Community Manager"),
        16,
        "playbooks.default.cell.0.role",
        "a role name uses lowercase letters",
        id="bad-role-name",
    ),
    pytest.param(
        replace("[claire, lucas]", "[claire, lucsa]"),
        12,
        "roster.community_manager",
        "'lucsa' is not one of the people",
        id="roster-names-an-unknown-person",
    ),
    pytest.param(
        replace("owner: claire", "owner: sophie"),
        3,
        "kit.owner",
        "'sophie' is not one of the people",
        id="owner-unknown",
    ),
    pytest.param(
        replace("  default:", "  rumor:"),
        13,
        "playbooks",
        "a 'default' playbook is required",
        id="no-default-playbook",
    ),
    pytest.param(
        replace("correlation_window: 48h", "correlation_window: 2 hours"),
        17,
        "playbooks.default.correlation_window",
        "not a duration: write it like 90s, 15m, 2h or 3d (got '2 hours')",
        id="duration-in-words",
    ),
    pytest.param(replace("Lucas Perrin", "Lucas: Perrin"), 9, "", "not valid YAML", id="yaml-syntax"),
    pytest.param(
        replace("    email: claire@lilas.example", "    name: Claire M."),
        7,
        "name",
        "appears twice in the same section",
        id="duplicate-key",
    ),
    pytest.param(latin1, 2, "", "not UTF-8 text: save the file as UTF-8", id="latin-1"),
    pytest.param(oversized, None, "", "over 1 MB", id="over-1-MB"),
]


@pytest.mark.parametrize(("mistake", "line", "field", "reason"), MISTAKES)
def test_a_mistake_is_located_and_the_store_is_left_as_it_was(
    sessions, load_file, kit_rows, write_kit, small_kit, mistake, line, field, reason
):
    load_file(sessions, example_kit_path("hotel"))
    before = kit_rows(sessions)
    path = write_kit(mistake(small_kit))

    with pytest.raises(KitError) as refused:
        load_file(sessions, path)

    where = f"{path}:{line}" if line else str(path)
    expected = f"{where}: {field}: " if field else f"{where}: "
    assert any(str(p).startswith(expected) and reason in str(p) for p in refused.value.problems), str(
        refused.value
    )
    assert kit_rows(sessions) == before


def test_the_oversized_case_really_is_over_the_limit(small_kit):
    assert len(oversized(small_kit).encode()) > MAX_KIT_BYTES


def test_every_reference_problem_is_reported_at_once(write_kit):
    path = write_kit(
        """\
kit:
  name: Lilas
  owner: sophie
people:
  - key: claire
    name: Claire Morel
  - key: claire
    name: Claire Dupont
roster:
  community_manager:
    - claire
    - lucsa
playbooks:
  default:
    cell:
      - role: community_manager
      - role: legall
"""
    )
    with pytest.raises(KitError) as refused:
        read_kit(path)
    assert str(refused.value).splitlines() == [
        f"{path}:3: kit.owner: 'sophie' is not one of the people",
        f"{path}:7: people: 'claire' is the key of more than one person",
        f"{path}:12: roster.community_manager: 'lucsa' is not one of the people",
        f"{path}:17: playbooks.default.cell: 'legall' is called but nobody in the roster holds it",
    ]


def test_a_mistake_in_a_reused_block_is_reported_where_it_is_written(write_kit, small_kit):
    path = write_kit(
        small_kit
        + """\
    targets: &fast
      acknowledge: 5m
      assemble: 1 hour
  rumor:
    cell: [{role: community_manager}]
    targets:
      <<: *fast
      acknowledge: 10m
"""
    )
    with pytest.raises(KitError) as refused:
        read_kit(path)
    assert [str(p).split(": ")[:2] for p in refused.value.problems] == [
        [f"{path}:20", "playbooks.default.targets.assemble"],
        [f"{path}:20", "playbooks.rumor.targets.assemble"],
    ]


def test_a_merge_overriding_a_reused_value_is_not_a_duplicate(write_kit, small_kit):
    kit = read_kit(
        write_kit(
            small_kit
            + """\
    targets: &fast
      acknowledge: 5m
  rumor:
    cell: [{role: community_manager}]
    targets:
      <<: *fast
      acknowledge: 10m
"""
        )
    )
    assert kit.playbooks["rumor"].targets.acknowledge.total_seconds() == 600


@pytest.mark.parametrize(
    ("mistake", "reason"),
    [
        (replace("claire@lilas.example", "claire at lilas"), "not an email address (got 'claire at lilas')"),
        (replace("locale: en", "locale: de"), "the language must be fr or en (got 'de')"),
        (replace("locale: en", "slack_user_id: lucas"), "a Slack user id looks like U04ABC123"),
        (replace("locale: en", "timezone: Europe/Pari"), "unknown time zone 'Europe/Pari'"),
        (
            replace("- role: community_manager", "- {role: community_manager, from_severity: huge}"),
            "must be one of 'low', 'medium', 'high' or 'critical' (got 'huge')",
        ),
        (replace("    name: Claire Morel\n", ""), "this field is required but missing"),
        (replace("  - key: lucas", "  - key: Lucas Perrin"), "a key uses lowercase letters"),
    ],
)
def test_reasons_are_written_for_the_people_who_write_kits(write_kit, small_kit, mistake, reason):
    with pytest.raises(KitError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read_kit(write_kit(mistake(small_kit)))


def test_nested_aliases_that_expand_to_millions_of_values_are_refused(write_kit):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 8)]
    with pytest.raises(KitError, match="anchors and aliases .* expand to too many values"):
        read_kit(write_kit("\n".join(levels) + "\n"))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", ":1: the file is empty"),
        ("# only a comment\n", ":1: the file is empty"),
        ("- a list\n- not a kit\n", ":1: expected a section of fields"),
        ("kit:\n  name: \x07\n", ":2: contains a character that is not allowed"),
        ("a: !!python/object:os.system x\n", ":1: not valid YAML"),
    ],
)
def test_files_that_are_not_kits_at_all(write_kit, content, reason):
    with pytest.raises(KitError, match=reason):
        read_kit(write_kit(content))


def test_a_missing_file_is_a_kit_error_not_a_traceback(tmp_path):
    with pytest.raises(KitError, match="nowhere.yaml: cannot read the file"):
        read_kit(tmp_path / "nowhere.yaml")


def test_a_byte_order_mark_is_tolerated(write_kit, small_kit):
    assert read_kit(write_kit("\ufeff" + small_kit)).kit.name == "Hôtel des Lilas"
