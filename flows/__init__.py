"""Cellule's protocols as Prefect flows: prepare, surround, exit on top, and the intake before them."""
