"""`/healthz` answers a load balancer: 200 when the database is reachable and migrated,
503 with the reason otherwise, and never says where the database is."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from carelab.store import db as store_db
from carelab.web import health


def client() -> TestClient:
    return TestClient(Starlette(routes=health.routes()))


def test_a_migrated_database_is_healthy(db_path, backend):
    response = client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": backend,
        "migrations": len(store_db.known_migrations()),
    }
    assert response.headers["cache-control"] == "no-store"
    assert str(db_path) not in response.text
    assert client().head("/healthz").status_code == 200


def test_a_server_newer_than_its_database_is_not_sent_traffic(db_path, monkeypatch):
    known = store_db.known_migrations()
    monkeypatch.setattr(store_db, "known_migrations", lambda: [*known, "0099_from_the_future"])
    response = client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["reason"] == "1 migration(s) not applied: run carelab db migrate"


def test_an_unreachable_database_is_unhealthy_without_saying_where(tmp_path, monkeypatch):
    gone = tmp_path / "gone" / "carelab.db"
    monkeypatch.setenv("CARELAB_DB", str(gone))
    response = client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "the database cannot be reached"}
    assert "gone" not in response.text
