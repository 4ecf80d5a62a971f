"""`cellule review …`: a defamatory review tracked through its three avenues — the platform, legal, the
public reply — to an outcome.

Each action is one transaction: a refused action says why (exit code 2) and changes nothing. A reply the
platform refused is recorded as not published (exit code 1) and the same command retries it. After an
action the messages it queued (approval requests) are sent at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands import review_support as support
from cellule.commands.common import Commands, console, open_runtime, reader_zone
from cellule.commands.incidents import ZoneOption
from cellule.commands.review_avenues import abandon, contacted, decision, edited, legal, outcome, report
from cellule.commands.review_evidence import evidence_app
from cellule.commands.review_reply import publish, reply
from cellule.commands.review_support import As, Case, Done, Ref
from cellule.commands.review_views import print_case
from flows.reviews import (
    cases_of,
    find_case,
    import_customers,
    look_up_customer,
    read_customer_csv,
    reasons_for,
)
from flows.runtime import Runtime
from models import transaction

review_app = Commands(help="Review cases: report, legal, public reply, outcome.", no_args_is_help=True)
customers_app = Commands(help="The customer list: was a reviewer ever a customer?", no_args_is_help=True)
review_app.add_typer(customers_app, name="customers")
review_app.add_typer(evidence_app, name="evidence")


@review_app.command()
def show(
    ref: Ref,
    case: Annotated[str | None, typer.Argument(help="One case only, e.g. R1.")] = None,
    tz: ZoneOption = None,
) -> None:
    """Every review case of the incident, each with its three avenues, its reply draft and its outcome."""
    zone = reader_zone(tz)
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        incident = support.incident(session, ref)
        if case:
            cases = [find_case(session, incident=incident, label=case)]
        else:
            cases = cases_of(session, incident=incident)
        if not cases:
            console.print(f"{incident.ref} has no review case: one opens when a rated review is reported.")
        for one in cases:
            print_case(session, incident, one, zone, runtime.now())


@review_app.command()
def reasons(platform: Annotated[str, typer.Argument(help="google or trustpilot.")]) -> None:
    """The reasons a platform accepts when a business reports a review."""
    known = reasons_for(platform.strip().lower())
    if not known:
        console.print(
            f"Cellule does not know {platform}'s reasons: give theirs in a few words with --reason."
        )
    for reason in known:
        wait = " — contact the reviewer first, then wait 3 days" if reason.contact_first else ""
        console.print(Text(f"{reason.code:<32} {reason.label}{wait}"))


@customers_app.command("import")
def import_customer_list(
    file: Annotated[Path, typer.Argument(help="CSV: name,email,booking_reference.")],
) -> None:
    """Import the customer list (a CSV file with a header line): all of it, or nothing."""
    text = support.read_text_file(file, what="customer list")

    def act(session: Session, runtime: Runtime) -> Done:
        done = import_customers(session, rows=read_customer_csv(text), at=runtime.now())
        already = f" ({done.already_known} already in the list)" if done.already_known else ""
        return Done(None, Text(f"✓ {done.added} customer(s) imported{already}.", style="green"))

    support.run(act)


@review_app.command()
def customer(
    ref: Ref,
    case: Case,
    booking_ref: Annotated[
        str | None, typer.Option("--booking-ref", help="The booking reference given.")
    ] = None,
    email: Annotated[str | None, typer.Option(help="The email the reviewer gave.")] = None,
    name: Annotated[str | None, typer.Option(help="Their name; default: the review's display name.")] = None,
    as_: As = None,
) -> None:
    """Was the reviewer a customer? Looks them up in the customer list."""

    def act(session: Session, runtime: Runtime) -> Done:
        found = support.case(session, ref, case)
        outcome = look_up_customer(
            session,
            case=found,
            at=runtime.now(),
            booking_reference=booking_ref,
            email=email,
            name=name,
            actor=support.actor(session, as_),
        )
        if not outcome.changed and not any((booking_ref, email, name)):
            said = (
                "The display name is not in the customer list: still unknown (ask for a booking reference)."
            )
            return Done(found.incident_id, Text(said, style="yellow"))
        return Done(found.incident_id, Text(f"✓ Was a customer: {outcome.was_customer} ({outcome.how})."))

    support.run(act)


# In the order a community manager meets them (docs/fake-review.md).
for command in (contacted, report, decision, legal, reply, publish, edited, outcome, abandon):
    review_app.command()(command)
