"""Cellule's HTTP app: Slack interactivity now; the intake API joins it in server mode."""

from cellule.web.app import create_app

__all__ = ["create_app"]
