"""Cellule's HTTP app: the intake API, Slack's buttons and slash command, health and readiness."""

from cellule.web.app import create_app
from cellule.web.auth import ApiCredentials

__all__ = ["ApiCredentials", "create_app"]
