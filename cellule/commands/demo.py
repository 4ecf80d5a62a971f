"""`cellule demo`: the first end-to-end path on a fresh store, with nothing to configure.

A fictional hotel gets a defamatory 1-star review; Cellule opens the incident, alerts the cell on the
console channel and shows the incident. It always uses its own store and the console only, so a demo can
never message real people or touch real incidents.
"""

from __future__ import annotations

import sys

from cellule.commands.common import console, reader_zone
from cellule.commands.incidents import print_incident
from cellule.engine import run_protocol
from cellule.reporting import report_attacks
from cellule.settings import get_settings
from cellule.store import open_store, upgrade_database
from flows.intake.reports import parse_report
from flows.kit.loading import example_kit_path, file_sha256, load_kit, read_kit
from flows.runtime import Runtime
from flows.surround.views import read_incident
from models import transaction
from notifications import ConsoleChannel

DEMO_REVIEW = {
    "target": "Hôtel des Lilas",
    "platform": "google",
    "external_id": "demo-review-0001",
    "url": "https://maps.example/reviews/demo-review-0001",
    "author": "Voyageur_74",
    "rating": 1,
    "text": "Chambre sale, personnel odieux, j'ai trouvé des punaises de lit. À fuir absolument !",
    "reported_by": "Camille (community manager)",
}


def demo() -> None:
    """Run the demo: a defamatory review of a fictional hotel, from report to alerted cell."""
    settings = get_settings()
    path = settings.data_dir / "demo.db"
    for stale in (path, path.with_name("demo.db-wal"), path.with_name("demo.db-shm")):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    console.rule("Cellule demo — a defamatory review lands")
    console.print(f"1. A fresh store at {path}")
    upgrade_database(url)
    runtime = Runtime(sessions=open_store(url), channels={"console": ConsoleChannel(sys.stdout)})

    console.print("2. The example crisis kit of the Hôtel des Lilas")
    kit_file = example_kit_path("hotel")
    with transaction(runtime.sessions) as session:
        load_kit(session, kit=read_kit(kit_file), source=str(kit_file), sha256=file_sha256(kit_file))

    console.print("3. Camille reports a 1-star review she believes is false")
    outcome = report_attacks(runtime, [parse_report(DEMO_REVIEW)], source="cli")[0]
    console.print(f"   → incident [bold]{outcome.incident_ref}[/] opened")

    console.print("4. The crisis protocol runs: prepare, surround, exit on top (console channel)")
    with console.status("Starting the protocol engine (Prefect)…"):
        run_protocol(runtime, outcome.incident_id)

    console.rule(f"5. Incident {outcome.incident_ref}")
    with transaction(runtime.sessions) as session:
        view = read_incident(session, ref=outcome.incident_ref, now=runtime.now())
    print_incident(view, reader_zone(None))
    console.print(
        f"\n[green]✓[/] Demo done: incident [bold]{outcome.incident_ref}[/], cell alerted on the console."
    )
