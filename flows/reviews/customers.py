"""The customer list (imported from CSV), and whether a reviewer was ever a customer.

A defamatory review is often written by someone who never stayed: the list lets the cell say so with a
reason ("no booking AB123 in our records") rather than a feeling. A lookup by a criterion the cell was given
(booking reference, email, name) answers yes or no; the automatic lookup by the reviewer's display name
only ever answers yes — a display name missing from the list proves little, so the case stays unknown.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.intake.rules import fold
from flows.reviews.cases import record_case_event
from flows.reviews.errors import ReviewError
from models import Customer, ReviewCase, WasCustomer
from notifications.render import clean_text

COLUMNS = ("name", "email", "booking_reference")
LIMITS = {"name": 200, "email": 320, "booking_reference": 100}  # the store's columns
MAX_ERRORS_SHOWN = 20
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LABELS = {"booking_reference": "booking reference", "email": "email", "name": "name"}


class CustomerFileError(ReviewError):
    """A customer file that cannot be imported: every problem, one per line, with its line number."""


@dataclass(frozen=True)
class CustomerRow:
    line: int
    name: str | None
    email: str | None
    booking_reference: str | None


@dataclass(frozen=True)
class ImportReport:
    added: int
    already_known: int  # the same customer was in the list already (re-importing a file is harmless)


@dataclass(frozen=True)
class CustomerLookup:
    was_customer: WasCustomer
    how: str | None  # what `customer_match` records
    changed: bool


def normalise(field: str, value: str) -> str:
    """How a value is stored and compared: emails in lower case, references without spaces, names folded."""
    if field == "email":
        return value.strip().casefold()
    if field == "booking_reference":
        return re.sub(r"\s+", "", value).upper()
    return " ".join(re.sub(r"[^\w]+", " ", fold(value)).split())


def read_customer_csv(text: str) -> list[CustomerRow]:
    """Parse a customer file (header `name,email,booking_reference`, any order); every problem at once."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)  # a stray quote is an error, not data
    errors: list[str] = []
    rows: list[CustomerRow] = []
    try:
        header = [h.strip().casefold() for h in next(reader, [])]
        columns = _check_header(header)
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                errors.append(f"line {line}: {len(fields)} fields, the header names {len(header)}")
                continue
            row, problems = _row(line, dict(zip(columns, fields, strict=True)))
            errors.extend(problems)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        errors.append(f"line {reader.line_num}: {exc}")
    if not errors and not rows:
        errors.append("the file has a header but no customer")
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(f"… and {len(errors) - MAX_ERRORS_SHOWN} more problem(s)")
        raise CustomerFileError("The customer file was not imported:\n" + "\n".join(shown))
    return rows


def _check_header(header: list[str]) -> list[str]:
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise CustomerFileError(
            "line 1: the first line must name the columns name,email,booking_reference (any order)"
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
    return header


def _row(line: int, raw: dict[str, str]) -> tuple[CustomerRow | None, list[str]]:
    values = {k: clean_text(v).strip() or None for k, v in raw.items()}
    problems = [
        f"line {line}: {LABELS[k]} is too long ({len(v)} characters; at most {LIMITS[k]})"
        for k, v in values.items()
        if v is not None and len(v) > LIMITS[k]
    ]
    if not any(values.values()):
        problems.append(f"line {line}: no name, email or booking reference")
    email = values["email"]
    if email is not None and not _EMAIL.match(email):
        problems.append(f"line {line}: {email!r} is not an email address")
    if problems:
        return None, problems
    return CustomerRow(line, values["name"], values["email"], values["booking_reference"]), []


def import_customers(session: Session, *, rows: Iterable[CustomerRow], at: datetime) -> ImportReport:
    """Add the rows to the customer list; a customer already in it (same three values) is not doubled."""
    known = {_identity(c.name, c.email, c.booking_reference) for c in session.scalars(select(Customer))}
    added = already = 0
    for row in rows:
        identity = _identity(row.name, row.email, row.booking_reference)
        if identity in known:
            already += 1
            continue
        known.add(identity)
        session.add(
            Customer(
                name=row.name,
                email=normalise("email", row.email) if row.email else None,
                booking_reference=normalise("booking_reference", row.booking_reference)
                if row.booking_reference
                else None,
                imported_at=at,
            )
        )
        added += 1
    return ImportReport(added, already)


def _identity(name: str | None, email: str | None, reference: str | None) -> tuple[str, str, str]:
    return (
        normalise("name", name or ""),
        normalise("email", email or ""),
        normalise("booking_reference", reference or ""),
    )


def find_customer(session: Session, *, field: str, value: str) -> Customer | None:
    """The first customer whose `field` matches `value` as people type it (case, spaces, accents)."""
    wanted = normalise(field, value)
    if not wanted:
        return None
    if field in ("email", "booking_reference"):
        column = getattr(Customer, field)
        return session.scalars(select(Customer).where(column == wanted).order_by(Customer.id)).first()
    named = session.scalars(select(Customer).where(Customer.name.is_not(None)).order_by(Customer.id))
    return next((c for c in named if normalise("name", c.name or "") == wanted), None)


def rests_on_a_name(case: ReviewCase) -> bool:
    """Whether the case's customer verdict came from a name alone (weak), not a booking reference or email."""
    how = case.customer_match or ""
    return how.startswith((f"{LABELS['name']} ", f"no {LABELS['name']} "))


def look_up_customer(
    session: Session,
    *,
    case: ReviewCase,
    at: datetime,
    booking_reference: str | None = None,
    email: str | None = None,
    name: str | None = None,
    actor: str | None = None,
) -> CustomerLookup:
    """Set whether the reviewer was a customer, from one criterion, or from their display name if none."""
    given = [
        (f, v.strip())
        for f, v in (("booking_reference", booking_reference), ("email", email), ("name", name))
        if v
    ]
    if len(given) > 1:
        raise ReviewError("Look up one thing at a time: --booking-ref, --email or --name.")
    total = session.scalar(select(func.count()).select_from(Customer)) or 0
    if total == 0:
        raise ReviewError("No customer list yet: import one first.", kind="no_customers")
    automatic = not given
    if automatic:
        if case.anonymous or not case.author_display_name:
            raise ReviewError(
                "The review is anonymous: look up what the reviewer told you (--booking-ref, --email)."
            )
        given = [("name", case.author_display_name)]
    field, value = given[0]
    if field == "name" and case.customer_match and not rests_on_a_name(case):
        # A booking reference or an email said it; a name (a namesake, a pseudonym) cannot overrule that.
        return CustomerLookup(case.was_customer, case.customer_match, changed=False)
    found = find_customer(session, field=field, value=value)
    label = LABELS[field]
    if found is not None:
        verdict, how = WasCustomer.YES, f"{label} {value!r} is in the customer list"
    elif automatic:
        return CustomerLookup(case.was_customer, case.customer_match, changed=False)
    else:
        verdict, how = WasCustomer.NO, f"no {label} {value!r} among {total} customers"
    how = how[:200]
    old: dict[str, object] = {"was_customer": case.was_customer.value, "customer_match": case.customer_match}
    case.was_customer, case.customer_match = verdict, how
    record_case_event(
        session,
        case=case,
        at=at,
        kind="customer_lookup",
        actor=actor,
        summary=f"was the reviewer a customer? {verdict} ({how})",
        old=old,
        new={"was_customer": verdict.value, "customer_match": how},
    )
    return CustomerLookup(verdict, how, changed=old["was_customer"] != verdict.value)
