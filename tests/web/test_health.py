"""Liveness and readiness: what a load balancer or `cellule up` asks before sending reports."""

from __future__ import annotations

from sqlalchemy import create_engine

from models import make_sessionmaker
from tests.web.scenario import Trigger, build_client


def test_the_service_is_ready_when_the_store_is_migrated_and_a_kit_is_loaded(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "reasons": []}


def test_without_a_kit_the_service_is_up_but_not_ready(sessions):
    client = build_client(sessions, Trigger())
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["reasons"] == ["no crisis kit is loaded: `cellule kit load <kit>`"]


def test_a_store_behind_the_migrations_is_not_ready(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    client = build_client(make_sessionmaker(engine), Trigger())
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert "cellule db upgrade" in ready.json()["reasons"][0]
    engine.dispose()


def test_an_unreachable_database_is_not_ready_and_its_error_stays_in_the_log(caplog):
    engine = create_engine(
        "postgresql+psycopg://cellule:s3cret@127.0.0.1:1/cellule", connect_args={"connect_timeout": 2}
    )
    client = build_client(make_sessionmaker(engine), Trigger())
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["reasons"] == ["the database does not answer"]
    assert "s3cret" not in ready.text
    engine.dispose()
