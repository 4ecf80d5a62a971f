"""The models and the Alembic migrations agree, on SQLite and on PostgreSQL (pytest-alembic's checks).

Imported rather than enabled with --test-alembic, so that pytest parametrizes them over both databases.
"""

from pytest_alembic.tests import (  # noqa: F401 - collected by pytest
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
