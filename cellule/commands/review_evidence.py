"""`cellule review evidence …`: the evidence file a lawyer needs — what is held, what is missing, files.

Attached files are kept byte for byte with their SHA-256 and go into the evidence bundle
(`cellule evidence REF -o bundle.zip`), whose SHA256SUMS lists them for `sha256sum -c`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands import review_support as support
from cellule.commands.common import Commands, console
from cellule.commands.review_support import As, Case, Done, Ref
from flows.lookups import FileCap, file_bytes
from flows.reviews.evidence_files import KINDS, MAX_EVIDENCE_BYTES, attach_evidence
from flows.reviews.legal_clock import ClockReading, case_evidence
from flows.runtime import Runtime

evidence_app = Commands(help="The evidence file of a review case, for counsel.", no_args_is_help=True)
Lang = Annotated[str, typer.Option("--lang", help="fr or en.")]
EVIDENCE_FILE = FileCap(MAX_EVIDENCE_BYTES, "export a smaller file (a PDF, a screenshot)")


@evidence_app.command()
def checklist(ref: Ref, case: Case, lang: Lang = "fr") -> None:
    """What counsel needs for the case, each item held (with its value) or missing, and the legal clock."""

    def act(session: Session, runtime: Runtime) -> Done:
        found = support.case(session, ref, case)
        view = case_evidence(session, case=found, now=runtime.now())
        lines = Text()
        for item in view.items:
            mark, style = ("✓", "green") if item.present else ("✗ missing:", "red")
            lines.append(f"{mark} {item.said(lang)}", style=style)
            lines.append(f"  {item.value}\n" if item.value else "\n")
        if view.clock is not None:
            lines.append(_clock_line(view.clock, lang), style="bold red" if view.clock.lapsed else "bold")
        return Done(None, lines)

    support.run(act)


def _clock_line(clock: ClockReading, lang: str) -> str:
    lapses, first = f"{clock.lapses_at:%Y-%m-%d %H:%M} UTC", f"{clock.published_at:%Y-%m-%d %H:%M} UTC"
    platform = clock.published_source == "platform"
    if lang == "fr":
        state = "DÉPASSÉE" if clock.lapsed else f"{clock.days_left} jour(s) restant(s)"
        source = "date de la plateforme" if platform else "première constatation"
        return (
            f"Prescription de l'action : {lapses} ({state}) ; première publication {first} ({source})"
            f" — {clock.rule}\n"
        )
    state = "PASSED" if clock.lapsed else f"{clock.days_left} day(s) left"
    source = "the platform's date" if platform else "first seen"
    return f"Legal action lapses {lapses} ({state}); first published {first} ({source}) — {clock.rule}\n"


@evidence_app.command()
def attach(
    ref: Ref,
    case: Case,
    file: Annotated[Path, typer.Argument(help="The file: a screenshot, a bailiff's report (PDF)…")],
    kind: Annotated[str, typer.Option(help=f"One of {', '.join(KINDS)}.")] = "screenshot",
    as_: As = None,
) -> None:
    """Add a file to the case's evidence, with its SHA-256 (the same file twice changes nothing)."""
    content = file_bytes(file, cap=EVIDENCE_FILE)

    def act(session: Session, runtime: Runtime) -> Done:
        found = support.case(session, ref, case)
        attached = attach_evidence(
            session,
            case=found,
            name=file.name,
            content=content,
            kind=kind,
            at=runtime.now(),
            actor=support.actor(session, as_),
        )
        said = f"✓ {attached.name} attached ({attached.size:,} bytes), SHA-256 {attached.sha256}"
        return Done(None, Text(said, style="green"))

    support.run(act)
    console.print("[dim]It goes into the evidence bundle: cellule evidence REF -o bundle.zip[/]")
