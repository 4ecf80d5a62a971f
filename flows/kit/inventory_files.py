"""The inventory as files: CSV and YAML, in and out, with every problem at FILE:LINE like the kit.

Spreadsheets are where many teams keep their list of accounts, so a CSV row is checked by the same schema
as a kit entry. Cells are outside text: control characters are dropped, and exported cells that a
spreadsheet would run as a formula are quoted (and unquoted again on import).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.files import KitError, KitProblem, read_yaml_as, reason_for
from flows.kit.inventory import ReferenceProblem, inventory_accounts, inventory_grants
from flows.kit.schema import SECRET_FIELD, AccountSpec, GrantSpec, Strict
from models import Person

MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 10_000
LIST_SEPARATOR = ";"  # linked_apps in one cell: "Agorapulse; Later"
_TRUE = {"yes", "y", "true", "1", "oui", "o", "vrai", "x"}
_FALSE = {"no", "n", "false", "0", "non", "faux"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Spec = TypeVar("Spec", bound=BaseModel)


class InventoryDocument(Strict):
    """A YAML file holding inventory sections only (what `--export yaml` writes)."""

    accounts: list[AccountSpec] | None = None
    access: list[GrantSpec] | None = None


def read_accounts_file(path: Path) -> list[AccountSpec]:
    """Accounts from a CSV file (one row each) or a YAML file (its `accounts` section)."""
    if path.suffix.lower() == ".csv":
        return _read_csv(path, AccountSpec)
    return _section(path, "accounts", read_yaml_as(path, InventoryDocument).accounts)


def read_grants_file(path: Path) -> list[GrantSpec]:
    """Access grants from a CSV file (one row each) or a YAML file (its `access` section)."""
    if path.suffix.lower() == ".csv":
        return _read_csv(path, GrantSpec)
    return _section(path, "access", read_yaml_as(path, InventoryDocument).access)


def located(path: Path, problems: Sequence[ReferenceProblem]) -> KitError:
    """Reference problems of an import, located in its file (CSV: the row's line; YAML: the entry)."""
    if path.suffix.lower() == ".csv":
        lines = _row_lines(path)
        found = [KitProblem(str(path), lines[p.index], p.field, p.reason) for p in problems]
    else:
        found = [KitProblem(str(path), None, f"{p.section}.{p.index}.{p.field}", p.reason) for p in problems]
    return KitError(found)


def accounts_for_export(session: Session) -> list[AccountSpec]:
    """The inventory's accounts, as a kit would declare them."""
    keys = _person_keys(session)
    return [
        AccountSpec(
            key=a.key,
            platform=a.platform,
            handle=a.handle,
            url=a.url,
            brand=a.brand,
            owner=keys.get(a.owner_id),
            credentials_in=a.credentials_in,
            credentials_shared=a.credentials_shared,
            two_factor=a.two_factor,
            two_factor_holder=keys.get(a.two_factor_holder_id),
            recovery_owner=keys.get(a.recovery_owner_id),
            recovery_contact=a.recovery_contact,
            credentials_rotated=a.credentials_rotated_on,
            linked_apps=list(a.linked_apps),
        )
        for a in inventory_accounts(session)
    ]


def grants_for_export(session: Session) -> list[GrantSpec]:
    """The live, listed access grants, as a kit would declare them."""
    return [
        GrantSpec(
            account=g.account.key,
            person=g.person.key,
            level=g.level,
            via=g.via,
            shared=g.shared,
            granted=g.granted_on,
        )
        for g in inventory_grants(session)
        if g.unlisted_at is None and g.account.active
    ]


def as_csv(specs: Sequence[BaseModel], schema: type[BaseModel]) -> str:
    """One header line with every column, then one row per entry."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = list(schema.model_fields)
    writer.writerow(columns)
    for spec in specs:
        data = spec.model_dump(mode="json")
        writer.writerow([_export_cell(data[c]) for c in columns])
    return out.getvalue()


def as_yaml(section: str, specs: Sequence[BaseModel]) -> str:
    """A YAML section to paste into a kit (defaults left out, so it reads like one written by hand)."""
    entries = []
    for spec in specs:
        entry = spec.model_dump(mode="json", exclude_defaults=True)
        for name, value in entry.items():
            if isinstance(getattr(spec, name), date):  # written as a date, not a quoted string
                entry[name] = date.fromisoformat(value)
        entries.append(entry)
    return yaml.safe_dump({section: entries}, allow_unicode=True, sort_keys=False, width=110)


def _section(path: Path, name: str, entries: list[Spec] | None) -> list[Spec]:
    if entries is None:
        raise KitError([KitProblem(str(path), None, name, "the file has no such section")])
    return entries


def _person_keys(session: Session) -> dict[int | None, str]:
    return {pid: key for pid, key in session.execute(select(Person.id, Person.key))}


def _export_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = f"{LIST_SEPARATOR} ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _import_cell(text: str) -> str:
    text = _CONTROL.sub("", text).strip()
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        return text[1:]
    return text


def _read_rows(path: Path) -> tuple[str, list[tuple[int, list[str]]]]:
    """The file's header row and data rows, each with the line it starts on."""
    file = str(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_CSV_BYTES + 1)
    except OSError as exc:
        reason = f"cannot read the file ({exc.strerror or exc})"
        raise KitError([KitProblem(file, None, "", reason)]) from None
    if len(data) > MAX_CSV_BYTES:
        raise KitError([KitProblem(file, None, "", "the file is over 1 MB: is it really an inventory?")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = "not UTF-8 text: export the sheet as « CSV UTF-8 » (its accents are probably Latin-1)"
        raise KitError([KitProblem(file, line, "", reason)]) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","  # French spreadsheets use ;
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if len(rows) > MAX_CSV_ROWS:
                raise KitError([KitProblem(file, start, "", f"more than {MAX_CSV_ROWS} rows")])
            rows.append((start, row))
    except csv.Error as exc:
        raise KitError([KitProblem(file, reader.line_num, "", f"not valid CSV ({exc})")]) from None
    return file, rows


def _row_lines(path: Path) -> list[int]:
    _, rows = _read_rows(path)
    return [line for line, row in rows[1:] if any(cell.strip() for cell in row)]


def _read_csv(path: Path, schema: type[Spec]) -> list[Spec]:
    file, rows = _read_rows(path)
    if not rows:
        raise KitError([KitProblem(file, 1, "", "the file is empty (it needs a header row)")])
    header_line, header = rows[0]
    columns = [_import_cell(name).lower() for name in header]
    problems = list(_header_problems(file, header_line, columns, schema))
    if problems:
        raise KitError(problems)
    specs: list[Spec] = []
    for line, row in rows[1:]:
        cells = [_import_cell(cell) for cell in row]
        if not any(cells):
            continue
        if len(cells) > len(columns):
            problems.append(KitProblem(file, line, "", f"{len(cells)} cells for {len(columns)} columns"))
            continue
        values = {c: _cell_value(c, v, schema) for c, v in zip(columns, cells, strict=False) if c and v}
        try:
            specs.append(schema.model_validate(values))
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else ""
                problems.append(KitProblem(file, line, column, reason_for(error)))
    if problems:
        raise KitError(problems)
    return specs


def _header_problems(
    file: str, line: int, columns: list[str], schema: type[BaseModel]
) -> Iterator[KitProblem]:
    expected = list(schema.model_fields)
    for column in columns:
        if column and SECRET_FIELD.search(column):
            yield KitProblem(file, line, column, "never put passwords or codes in the inventory: remove it")
        elif column and column not in expected:
            yield KitProblem(file, line, column, f"unknown column (the columns are: {', '.join(expected)})")
    for name, info in schema.model_fields.items():
        if info.is_required() and name not in columns:
            yield KitProblem(file, line, name, "this column is required but missing")
    for dupe in sorted({c for c in columns if c and columns.count(c) > 1}):
        yield KitProblem(file, line, dupe, "this column appears twice")


def _cell_value(column: str, text: str, schema: type[BaseModel]) -> Any:
    annotation = schema.model_fields[column].annotation
    if annotation is bool:
        word = text.lower()
        return True if word in _TRUE else False if word in _FALSE else text
    if column == "linked_apps":
        return [app.strip() for app in text.split(LIST_SEPARATOR) if app.strip()]
    return text
