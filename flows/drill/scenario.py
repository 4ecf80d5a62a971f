"""A drill scenario: the attack to rehearse, how the people behave, the way out, and what to test.

Scenarios are YAML written by the people who run exercises, read with the kit's reader so every problem
is reported at once as FILE:LINE. A scenario names roles and people of *a* kit; whether they exist in the
kit it is run against is checked when the drill starts (`problems_with`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from flows.kit.loading import EXAMPLE_KITS_DIR, KitError, KitProblem, read_yaml_as
from flows.kit.schema import Duration, Key, Kit, Platform, Strict
from models import AttackType, DraftKind

SCENARIOS_DIR = EXAMPLE_KITS_DIR / "scenarios"
# A Tuesday morning: the default start, so a scenario's clock reads the same in every run.
DEFAULT_START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
MAX_INJECTED_SIGNALS = 2_000


class Delay(Strict):
    """How long someone takes, as a log-normal spread: half answer within `median`, 90 % within `p90`."""

    median: Duration
    p90: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Delay:
        if self.p90 < self.median:
            raise ValueError("p90 must be at least the median")
        if self.median <= timedelta(0):
            raise ValueError("the median must be more than zero")
        return self

    def draw(self, rng: random.Random) -> timedelta:
        median = self.median.total_seconds()
        if self.p90 == self.median:
            return self.median
        sigma = math.log(self.p90.total_seconds() / median) / 1.2816  # z of the 90th percentile
        return timedelta(seconds=round(rng.lognormvariate(math.log(median), sigma)))


def _fixed_or_spread(value: object) -> object:
    """`15m` is shorthand for a delay that never varies."""
    return {"median": value, "p90": value} if isinstance(value, str | int) else value


class Behaviour(Strict):
    """How the people matched by `who` behave. Later rules override the fields they set.

    `who`: `everyone`, a role (everyone holding it), `ROLE/primary` (the first the roster lists),
    `ROLE/backup` (everyone after the primary), or a person's key.
    """

    who: str = Field(min_length=1, max_length=80)
    absent: bool | Annotated[float, Field(ge=0, le=1)] | None = None  # a probability per run
    declines: bool | Annotated[float, Field(ge=0, le=1)] | None = None
    acknowledge: Delay | None = None  # from the alert (or reminder) to the answer
    approve: Delay | None = None  # from the approval request to the decision
    write: Delay | None = None  # from a draft with parts to write (or sent back) to its new version
    publish: Delay | None = None  # from "approved" to the author posting it (simulated)
    rejects: list[DraftKind] | None = None  # sends the first version of these drafts back

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        if isinstance(data, dict):
            return {k: _fixed_or_spread(v) if k in DELAYS else v for k, v in data.items()}
        return data


DELAYS = ("acknowledge", "approve", "write", "publish")


class InjectedSignal(Strict):
    """Signals the drill injects at `at` after its start: `count` of them, spread over `spread`."""

    at: Duration = timedelta(0)
    count: int = Field(default=1, ge=1, le=500)
    spread: Duration = timedelta(0)
    target: str | None = Field(default=None, max_length=200)  # None: the kit's name
    platform: Platform = "other"
    attack_type: AttackType | None = None
    rating: int | None = Field(default=None, ge=1, le=5)
    reach: int | None = Field(default=None, ge=0)
    text: str = Field(min_length=1, max_length=2000)
    authors: int = Field(default=1, ge=1, le=500)  # how many distinct accounts post them, in turn
    author: str = Field(default="drill-account", min_length=1, max_length=100)


class Commitment(Strict):
    text: str = Field(min_length=1, max_length=500)
    owner: str = Field(min_length=1, max_length=80)  # a role (its member in the cell) or a person's key
    due_in: Duration = timedelta(days=30)


class Exit(Strict):
    """The way out the cell takes, decided by the incident's lead once the cell is assembled."""

    branch: Literal["already_handled", "not_handled"]
    decide: Delay = Field(default_factory=lambda: Delay(median=timedelta(hours=1), p90=timedelta(hours=3)))
    commitments: list[Commitment] = Field(default_factory=list)
    # From the branch statement's publication to the lead resolving it.
    resolve: Delay = Field(default_factory=lambda: Delay(median=timedelta(hours=2), p90=timedelta(hours=6)))
    benefit: str = Field(default="Drill: the protocol was rehearsed end to end.", max_length=2000)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        if isinstance(data, dict):
            return {k: _fixed_or_spread(v) if k in ("decide", "resolve") else v for k, v in data.items()}
        return data


class DrillTargets(Strict):
    """The hypotheses a drill tests. Times run from detection; unset ones come from the playbook."""

    acknowledge: Duration | None = None
    assemble: Duration | None = None
    holding_approved: Duration | None = None  # the holding statement's quorum reached
    first_statement: Duration | None = None  # the holding statement posted
    resolved: Duration | None = None
    quorum_respected: bool = True  # every published text had its quorum, never its author's vote
    commitments_recorded: bool = True  # every commitment of the scenario is on the record


class ScenarioInfo(Strict):
    name: Key
    title: dict[Literal["fr", "en"], str] = Field(min_length=1)
    summary: str | None = Field(default=None, max_length=2000)
    kit: str | None = None  # the example kit it was written for (used when no kit is loaded)
    rehearses: AttackType | None = None  # the playbook scheduled drills rehearse with it
    duration: Duration = timedelta(hours=72)
    start: datetime = DEFAULT_START


class Scenario(Strict):
    scenario: ScenarioInfo
    signals: list[InjectedSignal] = Field(min_length=1)
    people: list[Behaviour] = Field(default_factory=list)
    exit: Exit | None = None  # None: the drill rehearses the gathering only, and stops there
    targets: DrillTargets = DrillTargets()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        problems = []
        if self.signals[0].at != timedelta(0):
            problems.append("signals: the first signals arrive at 0m (the drill starts with the attack)")
        if sum(s.count for s in self.signals) > MAX_INJECTED_SIGNALS:
            problems.append(f"signals: at most {MAX_INJECTED_SIGNALS:,} signals in one drill")
        if any(s.at > self.scenario.duration for s in self.signals):
            problems.append("signals: a signal arrives after the drill has ended (see scenario.duration)")
        if self.scenario.start.tzinfo is None:
            problems.append("scenario.start: give a time zone, e.g. 2026-03-10T09:00:00+01:00")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def name(self) -> str:
        return self.scenario.name

    def title(self, locale: str) -> str:
        return self.scenario.title.get(locale) or next(iter(self.scenario.title.values()))


def read_scenario(path: Path) -> Scenario:
    """Read and check a scenario file; `KitError` lists every problem at FILE:LINE."""
    return read_yaml_as(path, Scenario)


def builtin_scenario_names() -> list[str]:
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml"))


def find_scenario(name_or_path: str) -> Path:
    """A built-in scenario by name (`fake-review`), or a scenario file by path."""
    if name_or_path in builtin_scenario_names():
        return SCENARIOS_DIR / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    available = ", ".join(builtin_scenario_names())
    reason = f"no such scenario file or built-in scenario (built-in: {available})"
    raise KitError([KitProblem(name_or_path, None, "", reason)])


def problems_with(scenario: Scenario, kit: Kit) -> Iterator[str]:
    """What the scenario names that the kit does not have: it could not be played against it."""
    keys = {p.key for p in kit.people}
    for number, rule in enumerate(scenario.people):
        if rule.who == "everyone" or rule.who in keys:
            continue
        role = rule.who.split("/", 1)[0]
        if rule.who.count("/") > 1 or (rule.who.count("/") == 1 and rule.who.split("/")[1] not in RANKS):
            yield f"people[{number}].who: {rule.who!r} — write ROLE, ROLE/primary, ROLE/backup or a key"
        elif role not in kit.roster:
            yield f"people[{number}].who: {rule.who!r} is neither a role of the roster nor a person"
    if scenario.exit:
        for number, commitment in enumerate(scenario.exit.commitments):
            if commitment.owner not in keys and commitment.owner not in kit.roster:
                yield f"exit.commitments[{number}].owner: {commitment.owner!r} is not a role nor a person"


RANKS = ("primary", "backup")


def behaviour_of(scenario: Scenario, kit: Kit, person_key: str) -> dict[str, object]:
    """The fields that apply to one person, later rules overriding earlier ones."""
    merged: dict[str, object] = {}
    for rule in scenario.people:
        if _matches(rule.who, kit, person_key):
            merged.update({k: v for k, v in rule if k != "who" and v is not None})
    return merged


def _matches(who: str, kit: Kit, person_key: str) -> bool:
    if who in ("everyone", person_key):
        return True
    role, _, rank = who.partition("/")
    members = kit.roster.get(role, [])
    if person_key not in members:
        return False
    return not rank or (rank == "primary") == (members[0] == person_key)
