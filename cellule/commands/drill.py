"""`cellule drill …`: rehearse the protocol like a fire drill, simulated or live, and read the score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands.common import Commands, console, fail, follow_up, open_runtime
from cellule.commands.postmortem import run_post_mortem
from flows.drill.journal import SeriesSummary, result_from_json, series_summary
from flows.drill.live import (
    HOT_WASH,
    find_running,
    record_hot_wash,
    start_live_drill,
    stop_live_drill,
)
from flows.drill.scenario import (
    Scenario,
    builtin_scenario_names,
    find_scenario,
    problems_with,
    read_scenario,
)
from flows.drill.scoring import Rating, TargetResult
from flows.drill.views import drill_report, journal_drills
from flows.exit_on_top.library_carry import CarriedText, approved_library
from flows.kit.loading import (
    KitError,
    NoKit,
    current_kit,
    example_kit_names,
    example_kit_path,
    file_sha256,
    read_kit,
)
from flows.kit.schema import Kit
from flows.postmortem.formatting import duration
from flows.runtime import Runtime
from models import Drill, transaction

if TYPE_CHECKING:
    from flows.drill.simulated import DrillOutcome

drill_app = Commands(
    help="Fire drills: rehearse a scenario against the kit (simulated, or live with the real cell).",
    no_args_is_help=True,
)

ScenarioArgument = Annotated[
    str, typer.Argument(help="A built-in scenario (see `cellule drill list`) or a scenario YAML file.")
]
RATING_STYLE = {
    Rating.WITHOUT_CHALLENGES: "green",
    Rating.SOME_CHALLENGES: "yellow",
    Rating.MAJOR_CHALLENGES: "red",
    Rating.UNABLE: "bold white on red",
}


@drill_app.command(name="list")
def list_() -> None:
    """The built-in scenarios, drawn from the crisis kinds Cellule knows."""
    table = Table(title="Built-in drill scenarios")
    for column in ("Scenario", "Title", "Written for", "Lasts", "Way out"):
        table.add_column(column)
    for name in builtin_scenario_names():
        scenario = read_scenario(find_scenario(name))
        info = scenario.scenario
        branch = scenario.exit.branch.replace("_", " ") if scenario.exit else "gathering only"
        table.add_row(
            name, escape(scenario.title("en")), info.kit or "—", _duration_en(info.duration), branch
        )
    console.print(table)


def run(
    scenario_name: ScenarioArgument,
    runs: Annotated[int, typer.Option("--runs", min=1, max=1000, help="Play it this many times.")] = 1,
    seed: Annotated[int, typer.Option("--seed", min=0, help="The first seed (runs use seed, seed+1…).")] = 0,
    kit_option: Annotated[
        str | None,
        typer.Option("--kit", help="An example kit's name or a kit file (default: the kit in force)."),
    ] = None,
    events: Annotated[bool, typer.Option("--events", help="Print the run's story (one run only).")] = False,
) -> None:
    """Play a scenario under the simulated clock with scripted people, and score it. Changes nothing
    but the drill journal: each run plays in a throwaway store. Several runs are one Prefect flow run."""
    scenario = _scenario(scenario_name)
    runtime = open_runtime()
    kit, sha256, kit_name = _kit(runtime, kit_option, scenario)
    library: tuple[CarriedText, ...] = ()
    if kit_option is None:  # the kit in force: its library as approved in this store
        with transaction(runtime.sessions) as session:
            library = approved_library(session, kit=kit, now=runtime.now())
    problems = list(problems_with(scenario, kit))
    if problems:
        fail(f"The scenario does not fit the kit {kit_name}:\n" + "\n".join(problems))
    # Imported here: playing drills needs Prefect, listing them or reading the journal does not.
    from cellule.prefect_env import quiet_flow_runs
    from cellule.scratch import scratch_stores
    from flows.drill.series import run_series

    console.print(
        f"Drill [bold]{escape(scenario.title('en'))}[/] against {escape(kit_name)}: "
        f"{runs} simulated run{'s' if runs > 1 else ''} of {_duration_en(scenario.scenario.duration)}."
    )
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    with progress, scratch_stores() as fresh, quiet_flow_runs():
        task = progress.add_task("playing", total=runs)
        series = run_series(
            runtime.sessions,
            scenario=scenario,
            kit=kit,
            kit_sha256=sha256,
            seeds=range(seed, seed + runs),
            fresh=fresh,
            after_each=lambda _: progress.advance(task),
            orchestrated=runs == 1,  # one run: every phase its own flow run; a series: one flow run
            library=library,
        )
    if library:
        console.print(f"Statement library: {len(library)} approved text(s) carried into the drill.")
    if runs == 1:
        [outcome] = series.outcomes
        _print_run(outcome, events=events)
    else:
        _print_series(series.summary)
    console.print(f"[dim]Journal: cellule drill journal --series {series.id}[/]")


def _scenario(name: str) -> Scenario:
    try:
        return read_scenario(find_scenario(name))
    except KitError as exc:
        fail(f"Cannot use this scenario:\n{exc}")


def _kit(runtime: Runtime, option: str | None, scenario: Scenario) -> tuple[Kit, str, str]:
    """The kit to play: the option, else the kit in force, else the one the scenario was written for."""
    try:
        if option is None:
            with transaction(runtime.sessions) as session:
                found = current_kit(session)
            if found is not None:
                version, kit = found
                return kit, version.sha256, f"the kit in force ({kit.kit.name})"
            if scenario.scenario.kit is None:
                raise NoKit()
            option = scenario.scenario.kit
        path = example_kit_path(option) if option in example_kit_names() else Path(option)
        return read_kit(path), file_sha256(path), str(option)
    except NoKit:
        fail("No crisis kit is loaded.", hint="Load one (`cellule kit load FILE`) or pass --kit hotel.")
    except KitError as exc:
        fail(f"Cannot use this kit:\n{exc}")


def _print_run(outcome: DrillOutcome, *, events: bool) -> None:
    if events:
        print_story(outcome.events, title=f"What happened — {outcome.incident_ref}, seed {outcome.seed}")
    if outcome.absent:
        console.print(f"Absent in this run: {', '.join(outcome.absent)}")
    print_results(outcome.results)
    console.print(f"Rating: [{RATING_STYLE[outcome.rating]}]{outcome.rating.value}[/]")


def print_story(events: Sequence[Mapping[str, object]], *, title: str = "What happened") -> None:
    """The run's events by time from the start; their text is outside text, printed as plain text."""
    story = Table(title=title)
    for column in ("T+", "What", "Who", "Detail"):
        story.add_column(column, overflow="fold")
    for event in events:
        at = _duration_en(timedelta(seconds=int(str(event["at"]))))
        story.add_row(
            at, str(event["kind"]), escape(str(event["actor"] or "")), escape(str(event["summary"]))
        )
    console.print(story)


def print_results(results: tuple[TargetResult, ...] | list[TargetResult]) -> None:
    table = Table(title="Targets")
    for column in ("Target", "Hypothesis", "Measured", "Result"):
        table.add_column(column)
    for result in results:
        hypothesis = f"≤ {_duration_en(result.target)}" if result.target is not None else "holds"
        if result.target is not None:
            measured = _duration_en(result.value) if result.value is not None else "not reached"
        else:
            measured = escape(result.detail) if result.detail else "yes"
        verdict = "[green]met[/]" if result.met else "[red]missed[/]"
        table.add_row(result.key.replace("_", " "), hypothesis, measured, verdict)
    console.print(table)


def _print_series(summary: SeriesSummary) -> None:
    table = Table(title=f"{summary.runs} runs — share of runs meeting each target")
    for column in ("Target", "Hypothesis", "Met", "Median", "p90", "Never reached"):
        table.add_column(column)
    for target in summary.targets:
        hypothesis = f"≤ {_duration_en(target.target)}" if target.target is not None else "holds"
        style = "green" if target.share_met == 1 else "yellow" if target.share_met >= 0.8 else "red"
        table.add_row(
            target.key.replace("_", " "),
            hypothesis,
            f"[{style}]{target.share_met:.0%}[/] ({target.met}/{target.runs})",
            _duration_en(target.median) if target.median is not None else "—",
            _duration_en(target.p90) if target.p90 is not None else "—",
            str(target.never_reached) if target.target is not None else "—",
        )
    console.print(table)
    ratings = Table(title="Ratings")
    ratings.add_column("Rating")
    ratings.add_column("Runs")
    for rating, count in summary.ratings.items():
        ratings.add_row(f"[{RATING_STYLE[rating]}]{rating.value}[/]", str(count))
    console.print(ratings)


def journal(
    series: Annotated[str | None, typer.Option("--series", help="Summarise one series of runs.")] = None,
    scenario: Annotated[str | None, typer.Option("--scenario", help="Only this scenario's drills.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many drills to list.")] = 20,
) -> None:
    """The drills played so far, most recent first; with --series, that series' summary."""
    with transaction(open_runtime().sessions) as session:
        drills = journal_drills(session, series=series, scenario=scenario, limit=limit)
        if series and drills:
            _print_series(series_summary(list(reversed(drills))))
            return
    if not drills:
        fail("No drill in the journal yet." if not series else f"No series {series!r} in the journal.")
    table = Table(title="Drill journal")
    for column in ("#", "Scenario", "Mode", "Seed", "Incident", "Targets met", "Rating"):
        table.add_column(column)
    for drill in drills:
        results = [result_from_json(r) for r in drill.results or []]
        met = f"{sum(r.met for r in results)}/{len(results)}" if results else "—"
        rating = Rating(drill.rating) if drill.rating else None
        shown = f"[{RATING_STYLE[rating]}]{rating.value}[/]" if rating else "[dim]running[/]"
        seed = "—" if drill.seed is None else str(drill.seed)
        table.add_row(
            str(drill.id), drill.scenario, drill.mode.value, seed, drill.incident_ref or "—", met, shown
        )
    console.print(table)


def show(
    number: Annotated[int, typer.Argument(help="The drill's number in the journal.")],
    report: Annotated[
        bool, typer.Option("--report", help="Print its post-mortem (Markdown) instead.")
    ] = False,
) -> None:
    """One drill's story and score (or its post-mortem)."""
    with transaction(open_runtime().sessions) as session:
        drill = session.get(Drill, number)
        if drill is None:
            fail(f"No drill #{number} in the journal.", hint="See `cellule drill journal`.")
        if report:
            _print_report(session, drill)
            return
        how = f"simulated, seed {drill.seed}" if drill.seed is not None else drill.mode.value
        console.print(f"Drill #{drill.id}: {escape(drill.title)} — {drill.incident_ref or '—'} ({how})")
        print_story(drill.events or [])
        print_results([result_from_json(r) for r in drill.results or []])
        if drill.rating:
            console.print(f"Rating: [{RATING_STYLE[Rating(drill.rating)]}]{drill.rating}[/]")
        for answer in drill.hot_wash or []:
            console.print(f"[bold]{escape(str(answer['question']))}[/]\n  {escape(str(answer['answer']))}")


def _print_report(session: Session, drill: Drill) -> None:
    markdown = drill_report(session, drill=drill)
    if markdown is None:
        fail(f"Drill #{drill.id} has no post-mortem: it ended before its resolution, or is still running.")
    console.print(Text(markdown))


def _duration_en(value: timedelta | None) -> str:
    return duration(value, "en")


def start(
    scenario_name: ScenarioArgument,
    live: Annotated[
        bool, typer.Option("--live", help="Confirm: alert the real cell, through the real channels.")
    ] = False,
) -> None:
    """Start a live drill: the real cell is alerted, every message marked as an exercise, on the real
    clock; nothing is published. People answer as in a crisis; `cellule drill stop` ends it."""
    if not live:
        fail(
            "A live drill alerts real people: add --live to confirm.",
            code=2,
            hint="To rehearse without alerting anyone: cellule drill run SCENARIO.",
        )
    scenario = _scenario(scenario_name)
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        drill, triaged = start_live_drill(session, scenario=scenario, now=runtime.now())
        ref, incident_id = drill.incident_ref, drill.incident_id
    later = sum(s.count for s in scenario.signals) - len(triaged)
    console.print(f"● Live drill {ref} started: {escape(scenario.title('en'))}.")
    if later:
        console.print(
            f"  {later} more signal(s) will arrive on the scenario's schedule (cellule watch / tick)."
        )
    assert incident_id is not None
    follow_up(runtime, [incident_id], doing="Alerting the crisis cell (EXERCICE / DRILL)…")
    console.print(f"Stop it with: cellule drill stop {ref}")


def stop(
    ref: Annotated[
        str | None, typer.Argument(help="The drill's incident (default: the one running).")
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option("--hot-wash", help="A YAML list of answers to the hot-wash questions, in order."),
    ] = None,
    skip_hot_wash: Annotated[bool, typer.Option("--skip-hot-wash", help="Do not ask the questions.")] = False,
    as_: Annotated[str | None, typer.Option("--as", help="Who stops it (your key in the kit).")] = None,
) -> None:
    """Stop a live drill: score it, close its incident, store its post-mortem, and hold the hot wash."""
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        drill = stop_live_drill(session, drill=find_running(session, ref), now=runtime.now(), actor=as_)
        number, incident_id = drill.id, drill.incident_id
        results = [result_from_json(r) for r in drill.results or []]
        rating = Rating(drill.rating) if drill.rating else Rating.UNABLE
    print_results(results)
    console.print(f"Rating: [{RATING_STYLE[rating]}]{rating.value}[/]")
    assert incident_id is not None
    with console.status("Storing the drill's post-mortem (Prefect)…"):
        stored = run_post_mortem(runtime, incident_id)
    if stored is not None:
        console.print(
            f"Post-mortem: {stored.files.get('en.md') or stored.files.get('fr.md') or 'in the database'}"
        )
    if skip_hot_wash:
        return
    given = _read_answers(answers) if answers else None
    said = []
    console.print("[bold]Hot wash[/] — right after the drill, while it is fresh (Enter to skip a question).")
    for n, question in enumerate(HOT_WASH):
        answer = given[n] if given is not None and n < len(given) else None
        said.append((question, answer if answer is not None else typer.prompt(question, default="")))
    with transaction(runtime.sessions) as session:
        record_hot_wash(session, drill=session.get_one(Drill, number), answers=said)
    console.print(f"✓ Hot wash kept with drill #{number} (cellule drill show {number}).")


def _read_answers(path: Path) -> list[str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        fail(f"{path}: not readable as YAML ({exc.__class__.__name__}).", code=2)
    if not isinstance(data, list) or not all(isinstance(a, str) for a in data):
        fail(f"{path}: write the answers as a YAML list of texts, one per question, in order.", code=2)
    return data


drill_app.command()(run)
drill_app.command()(journal)
drill_app.command()(show)
drill_app.command()(start)
drill_app.command()(stop)
