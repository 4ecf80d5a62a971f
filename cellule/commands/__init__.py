"""The `cellule` command line (Typer + Rich), one module per group of commands.

A command's module is imported only when that command runs: `cellule --help` lists every command from
its docstring read as source (no import), and `cellule incidents` imports the incidents module alone. So a
command that only reads never pays for what another one needs (Prefect above all, seconds to import).
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

# name → "module:attribute": a function is a command, a Typer app a group of commands. The help's order.
COMMANDS = {
    "report": "cellule.commands.report:report",
    "incidents": "cellule.commands.incidents:incidents",
    "show": "cellule.commands.incidents:show",
    "demo": "cellule.commands.demo:demo",
    "draft": "cellule.commands.drafts:draft",
    "drafts": "cellule.commands.drafts:drafts",
    "approve": "cellule.commands.drafts:approve",
    "reject": "cellule.commands.drafts:reject",
    "edit": "cellule.commands.drafts:edit",
    "ack": "cellule.commands.answers:ack",
    "decline": "cellule.commands.answers:decline_",
    "tick": "cellule.commands.watch:tick",
    "up": "cellule.commands.up:up",
    "watch": "cellule.commands.watch:watch",
    "audit": "cellule.commands.audit:audit",
    "postmortem": "cellule.commands.postmortem:postmortem",
    "report-period": "cellule.commands.period:report_period",
    "evidence": "cellule.commands.postmortem:evidence",
    "exit": "cellule.commands.exit:exit_",
    "publish": "cellule.commands.exit:publish",
    "commit": "cellule.commands.exit:commit",
    "kept": "cellule.commands.exit:kept",
    "drop": "cellule.commands.exit:drop",
    "commitments": "cellule.commands.exit:commitments",
    "resolve": "cellule.commands.exit:resolve",
    "kit": "cellule.commands.kit:kit_app",
    "db": "cellule.commands.db:db_app",
    "review": "cellule.commands.reviews:review_app",
    "drill": "cellule.commands.drill:drill_app",
    "statements": "cellule.commands.statements:statements_app",
}
# Commands another module adds to a group when the group loads: the inventory's, under `kit`.
GROUP_EXTRAS = {
    "kit": ("cellule.commands.inventory", ("accounts", "access", "offboard")),
}
RICH_MARKUP = "rich"


def _commands_app(**options: Any) -> typer.Typer:
    """The Typer app a command is registered on when it loads: a `Commands` app, answering refusals."""
    from cellule.commands.common import Commands

    return Commands(rich_markup_mode=RICH_MARKUP, **options)


def _target(spec: str) -> Any:
    module, attribute = spec.split(":")
    return getattr(importlib.import_module(module), attribute)


@functools.cache
def load_command(name: str) -> TyperCommand | TyperGroup:
    """The Click command `name`, its module imported now (once per process)."""
    target = _target(COMMANDS[name])
    holder = _commands_app(add_completion=False)  # completion is the top-level app's, not each command's
    if isinstance(target, typer.Typer):
        module, extras = GROUP_EXTRAS.get(name, ("", ()))
        for extra in extras:
            target.command()(getattr(importlib.import_module(module), extra))
        holder.add_typer(target, name=name)
        return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]
    holder.command(name=name)(target)
    return typer.main.get_command(holder)  # type: ignore[return-value]


@functools.cache
def short_help(name: str) -> str:
    """The first paragraph of a command's docstring (a group's `help=`), read from source, not imported."""
    module, attribute = COMMANDS[name].split(":")
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, module
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == attribute:
            return (ast.get_docstring(node) or "").split("\n\n")[0].replace("\n", " ")
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == attribute for t in node.targets
        ):
            call = node.value
            for keyword in call.keywords if isinstance(call, ast.Call) else []:
                if keyword.arg == "help" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return ""


class LazyCommands(TyperGroup):
    """The top-level group: commands listed from `COMMANDS`, each loaded when it is the one typed."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> TyperCommand | TyperGroup | None:
        if cmd_name not in COMMANDS:
            return None
        if self._listing:  # the help's list of commands: a name and a line each, nothing imported
            return TyperCommand(cmd_name, help=short_help(cmd_name))
        return load_command(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(  # no command of its own: LazyCommands loads each (a `Commands` app) when it runs
    rich_markup_mode=RICH_MARKUP,
    name="cellule",
    help="Cellule — crisis management for reputation attacks: prepare, surround, exit on top.",
    no_args_is_help=True,
    cls=LazyCommands,
)


@app.callback()
def _cellule() -> None:
    # A callback makes `app` a group while no command is registered on it (they load in LazyCommands).
    pass
