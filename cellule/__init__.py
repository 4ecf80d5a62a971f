"""Cellule's front doors: the command line, the settings, and (later) the HTTP app."""
