"""The `cellule` command. Prefect reads its settings at import, so they are set before anything loads it."""

from __future__ import annotations


def main() -> None:
    from cellule.prefect_env import configure_prefect_environment
    from cellule.settings import get_settings

    configure_prefect_environment(get_settings().data_dir)
    from cellule.commands import app

    app()


if __name__ == "__main__":
    main()
