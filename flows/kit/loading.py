"""The crisis kit: read from its file (`files.py` says every problem at FILE:LINE), checked, and loaded
into the store as a new version; the kit in force read back.

Loading keeps everyone who ever was in the kit (past incidents point at them) and replaces the roster whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from flows.kit.files import MAX_KIT_BYTES as MAX_KIT_BYTES
from flows.kit.files import KitError, KitProblem, read_yaml_as, validation_problems
from flows.kit.inventory import apply_inventory
from flows.kit.schema import Kit, PersonSpec
from flows.refusals import Refusal
from models import Incident, KitVersion, Person, RosterEntry

# Data shipped beside the code, found by path so `flows` never imports `cellule`.
EXAMPLE_KITS_DIR = Path(__file__).resolve().parents[2] / "cellule" / "kits"


class NoKit(Refusal, LookupError):
    """No kit has been loaded into the store yet: there is nobody to call and no playbook to follow."""

    kind = "no_kit"

    def __init__(self, message: str = "No crisis kit is loaded yet.") -> None:
        super().__init__(message)


def example_kit_names() -> list[str]:
    """The example kits Cellule ships (for demos, drills and tests)."""
    return sorted(p.stem for p in EXAMPLE_KITS_DIR.glob("*.yaml"))


def example_kit_path(name: str) -> Path:
    """The file of the example kit called `name`, e.g. "hotel" or "food_brand"."""
    if name not in example_kit_names():
        available = ", ".join(example_kit_names())
        raise KitError([KitProblem(name, None, "", f"no such example kit (available: {available})")])
    return EXAMPLE_KITS_DIR / f"{name}.yaml"


def file_sha256(path: Path) -> str:
    """The fingerprint stored with a kit version: which file, byte for byte, was put in force."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_kit(path: Path) -> Kit:
    """Read and check a kit file; raise `KitError` listing every problem with its file and line."""
    return read_yaml_as(path, Kit)


def load_kit(session: Session, *, kit: Kit, source: str, sha256: str) -> KitVersion:
    """Store `kit` as a new version, bring the people up to date and replace the roster. Never commits."""
    version = KitVersion(
        name=kit.kit.name,
        source=source[-500:],  # the column's size; the end of a long path names the file
        sha256=sha256,
        document=kit.model_dump(mode="json"),
    )
    session.add(version)
    people = _upsert_people(session, kit.people)
    session.execute(delete(RosterEntry))
    for role, keys in kit.roster.items():
        for rank, key in enumerate(keys, start=1):
            session.add(RosterEntry(role=role, rank=rank, person=people[key]))
    session.flush()
    if kit.accounts is not None:  # a kit without an inventory leaves the stored one as it is
        apply_inventory(session, accounts=kit.accounts, grants=kit.access, at=version.loaded_at)
    # Imported here: the library reads the quorum's rules, and the quorum reads the kit through this module.
    from flows.exit_on_top.library_store import sync_library

    sync_library(session, kit=kit, at=version.loaded_at)
    return version


def current_kit(session: Session) -> tuple[KitVersion, Kit] | None:
    """The kit loaded last, checked again, or None when no kit was ever loaded."""
    version = session.scalars(select(KitVersion).order_by(KitVersion.id.desc()).limit(1)).first()
    if version is None:
        return None
    try:
        return version, _parsed(version.document)
    except ValidationError as exc:
        # A version stored before the schema changed: say so rather than fail somewhere downstream.
        source = f"kit version {version.id} ({version.source})"
        problems = [p for error in exc.errors() for p in validation_problems(error, None, source)]
        raise KitError(problems) from None


_PARSED: dict[str, Kit] = {}


def _parsed(document: dict[str, Any]) -> Kit:
    """The validated kit of a stored document. Stored versions never change, so each is validated once
    per process (validating a full kit costs ~10 ms, and triage asks for it at every signal)."""
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    if digest not in _PARSED:
        if len(_PARSED) >= 16:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[digest] = Kit.model_validate(document)
    return _PARSED[digest]


def version_opened_under(session: Session, incident: Incident) -> KitVersion | None:
    """The kit version the incident was opened under; the latest for an incident that recorded none;
    None when no kit was ever loaded."""
    if incident.kit_version_id is not None:
        return session.get(KitVersion, incident.kit_version_id)
    return session.scalars(select(KitVersion).order_by(KitVersion.id.desc()).limit(1)).first()


def require_kit_version(session: Session) -> tuple[KitVersion, Kit]:
    """The kit in force and its stored version; raise `NoKit` when none was ever loaded."""
    found = current_kit(session)
    if found is None:
        raise NoKit()
    return found


def require_kit(session: Session) -> Kit:
    """The kit in force; raise `NoKit` when none was ever loaded."""
    return require_kit_version(session)[1]


def _upsert_people(session: Session, specs: Sequence[PersonSpec]) -> dict[str, Person]:
    existing = {person.key: person for person in session.scalars(select(Person))}
    wanted = {spec.key for spec in specs}
    for person in existing.values():
        if person.key not in wanted:
            person.active = False  # kept: past incidents and notifications point at them
    by_key: dict[str, Person] = {}
    for spec in specs:
        person = existing.get(spec.key)
        if person is None:
            person = Person(key=spec.key)
            session.add(person)
        person.name = spec.name
        person.locale = spec.locale
        person.timezone = spec.timezone
        person.email = spec.email
        person.phone = spec.phone
        person.slack_user_id = spec.slack_user_id
        person.active = True
        by_key[spec.key] = person
    return by_key
