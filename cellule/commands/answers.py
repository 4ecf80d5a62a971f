"""`cellule ack` and `cellule decline`: answer a call to the crisis cell from the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy import select

from cellule.commands.common import console, fail, open_runtime
from cellule.engine import run_protocol
from flows.kit.loading import NoKit, require_kit
from flows.surround.answers import Answered, AnswerError, acknowledge, decline
from models import Person, incident_by_ref, transaction

RefArgument = Annotated[str, typer.Argument(help="The incident reference, e.g. CRI-2026-0001.")]
AsOption = Annotated[str, typer.Option("--as", help="Your key in the crisis kit, e.g. claire.morel.")]


def _answer(ref: str, person_key: str, answer) -> tuple[Answered, str, int]:  # type: ignore[no-untyped-def]
    runtime = open_runtime()
    try:
        with transaction(runtime.sessions) as session:
            incident = incident_by_ref(session, ref, for_update=True)
            if incident is None:
                fail(f"No incident {ref!r}.", code=2, hint="`cellule incidents` lists the open ones.")
            person = session.scalars(select(Person).where(Person.key == person_key.strip().lower())).first()
            if person is None:
                fail(
                    f"Nobody with the key {person_key!r} in the crisis kit.",
                    code=2,
                    hint="`cellule kit show`",
                )
            answered = answer(
                session, incident=incident, person=person, kit=require_kit(session), at=runtime.now()
            )
            name, incident_id, incident_ref = person.name, incident.id, incident.ref
    except (AnswerError, NoKit) as exc:
        fail(str(exc), code=2)
    # Follow-ups (a backup to call, the cell now assembled) go out at once.
    run_protocol(runtime, incident_id)
    return answered, name, incident_ref


def ack(ref: RefArgument, person: AsOption) -> None:
    """Acknowledge: you take your role in the incident's crisis cell."""
    answered, name, incident_ref = _answer(ref, person, acknowledge)
    line = Text(
        f"✓ {name} " + ("takes " if answered.changed else "had already taken ") + ", ".join(answered.roles)
    )
    line.append(f" in {incident_ref}.")
    if answered.assembled:
        line.append(" The crisis cell is assembled.", style="bold green")
    console.print(line)


def decline_(ref: RefArgument, person: AsOption) -> None:
    """Decline: you cannot take your role; your backup is called at once."""
    answered, name, incident_ref = _answer(ref, person, decline)
    if answered.changed:
        roles = ", ".join(answered.roles)
        console.print(Text(f"{name} steps aside from {roles} in {incident_ref}; the backup is called."))
    else:
        console.print(Text(f"{name} had already stepped aside in {incident_ref}."))
