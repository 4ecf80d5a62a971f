"""The `cellule` command line (Typer + Rich), one module per group of commands."""

from cellule.commands.answers import ack, decline_
from cellule.commands.audit import audit
from cellule.commands.common import Commands
from cellule.commands.db import db_app
from cellule.commands.demo import demo
from cellule.commands.drafts import approve, draft, drafts, edit, reject
from cellule.commands.drill import drill_app
from cellule.commands.exit import commit, commitments, drop, exit_, kept, publish, resolve
from cellule.commands.incidents import incidents, show
from cellule.commands.inventory import access, accounts, offboard
from cellule.commands.kit import kit_app
from cellule.commands.period import report_period
from cellule.commands.postmortem import evidence, postmortem
from cellule.commands.report import report
from cellule.commands.reviews import review_app
from cellule.commands.statements import statements_app
from cellule.commands.up import up
from cellule.commands.watch import tick, watch

app = Commands(
    name="cellule",
    help="Cellule — crisis management for reputation attacks: prepare, surround, exit on top.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.command()(report)
app.command()(incidents)
app.command()(show)
app.command()(demo)
app.command()(draft)
app.command()(drafts)
app.command()(approve)
app.command()(reject)
app.command()(edit)
app.command()(ack)
app.command(name="decline")(decline_)
app.command()(tick)
app.command()(up)
app.command()(watch)
app.command()(audit)
app.command()(postmortem)
app.command(name="report-period")(report_period)
app.command()(evidence)
kit_app.command()(accounts)
kit_app.command()(access)
kit_app.command()(offboard)
app.command(name="exit")(exit_)
app.command()(publish)
app.command()(commit)
app.command()(kept)
app.command()(drop)
app.command()(commitments)
app.command()(resolve)
app.add_typer(kit_app, name="kit")
app.add_typer(db_app, name="db")
app.add_typer(review_app, name="review")
app.add_typer(drill_app, name="drill")
app.add_typer(statements_app, name="statements")
