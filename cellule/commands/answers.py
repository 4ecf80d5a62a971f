"""`cellule ack` and `cellule decline`: answer a call to the crisis cell from the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from cellule.commands.common import console, follow_up, open_runtime
from flows.kit.loading import require_kit
from flows.lookups import incident_by_reference, person_by_key
from flows.runtime import Runtime
from flows.surround.answers import Answered, acknowledge, decline
from models import transaction

RefArgument = Annotated[str, typer.Argument(help="The incident reference, e.g. CRI-2026-0001.")]
AsOption = Annotated[str, typer.Option("--as", help="Your key in the crisis kit, e.g. claire.morel.")]


def _answer(ref: str, person_key: str, answer) -> tuple[Answered, str, str, Runtime, int]:  # type: ignore[no-untyped-def]
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        incident = incident_by_reference(session, ref=ref, for_update=True)
        person = person_by_key(session, key=person_key)
        answered = answer(
            session, incident=incident, person=person, kit=require_kit(session), at=runtime.now()
        )
        name, incident_id, incident_ref = person.name, incident.id, incident.ref
    return answered, name, incident_ref, runtime, incident_id


def ack(ref: RefArgument, person: AsOption) -> None:
    """Acknowledge: you take your role in the incident's crisis cell."""
    answered, name, incident_ref, runtime, incident_id = _answer(ref, person, acknowledge)
    line = Text(
        f"✓ {name} " + ("takes " if answered.changed else "had already taken ") + ", ".join(answered.roles)
    )
    line.append(f" in {incident_ref}.")
    if answered.assembled:
        line.append(" The crisis cell is assembled.", style="bold green")
    console.print(line)
    follow_up(runtime, [incident_id], doing="Telling the cell…")


def decline_(ref: RefArgument, person: AsOption) -> None:
    """Decline: you cannot take your role; your backup is called at once."""
    answered, name, incident_ref, runtime, incident_id = _answer(ref, person, decline)
    if answered.changed:
        roles = ", ".join(answered.roles)
        console.print(Text(f"{name} steps aside from {roles} in {incident_ref}; the backup is called."))
    else:
        console.print(Text(f"{name} had already stepped aside in {incident_ref}."))
    follow_up(runtime, [incident_id], doing="Calling the backup…")
