"""A facilitator's exports from CareLab's own route: made when asked, for the right people only."""

from __future__ import annotations

import csv
import io

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from carelab import auth
from carelab.web.export_routes import routes
from carelab.workshop.exports import EXPORTS, WORKSHOP_EXPORTS, export_url
from tests.unit.workshop.conftest import answer_all, people, room

__all__ = ["people", "room"]


@pytest.fixture
def client(db_path):
    return TestClient(Starlette(routes=routes()), base_url="http://testserver")


def signed_in(client: TestClient, db, user) -> TestClient:
    cookie, _ = auth.start_session(db, user.id)
    client.cookies.set(auth.COOKIE_NAME, cookie)
    return client


def test_the_facilitator_gets_every_answer_given_so_far_as_an_attachment(client, db, people, room):
    signed_in(client, db, people.facilitator)
    answer_all(db, people, room, 1, [0, 1])
    first = client.get(export_url(room.id, "responses.csv"))
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/csv")
    assert first.headers["content-disposition"] == (
        f'attachment; filename="workshop-{room.code}.csv"'
    )
    assert first.headers["cache-control"] == "no-store"
    assert len(list(csv.DictReader(io.StringIO(first.content.decode("utf-8-sig"))))) == 2
    answer_all(db, people, room, 1, [2])  # a third phone answers: the next download has it
    again = client.get(export_url(room.id, "responses.csv"))
    assert len(list(csv.DictReader(io.StringIO(again.content.decode("utf-8-sig"))))) == 3


@pytest.mark.parametrize("name", [*WORKSHOP_EXPORTS, "questions.csv"])
def test_each_export_has_its_type_and_name(client, db, people, room, name):
    signed_in(client, db, people.admin)  # an administrator may export any workshop
    response = client.get(export_url(room.id, name))
    assert response.status_code == 200 and response.content
    assert response.headers["content-type"].split(";")[0] == EXPORTS[name].media_type.split(";")[0]
    filename = f"workshop-{room.code}{EXPORTS[name].suffix}"
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'


def test_nobody_else_gets_it(client, db, people, room):
    url = export_url(room.id, "responses.csv")
    assert client.get(url).status_code == 401
    assert "Sign in" in client.get(url).text
    client.cookies.set(auth.COOKIE_NAME, "forged.0.cookie")
    assert client.get(url).status_code == 401
    signed_in(client, db, people.other)  # another facilitator
    refused = client.get(url)
    assert refused.status_code == 403 and "Traceback" not in refused.text
    signed_in(client, db, people.learner)
    assert client.get(url).status_code == 403


def test_another_site_cannot_start_a_download(client, db, people, room):
    signed_in(client, db, people.facilitator)
    url = export_url(room.id, "summary.pdf")
    assert client.get(url, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get(url, headers={"Sec-Fetch-Site": "same-site"}).status_code == 403
    assert client.get(url, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_unknown_exports_and_workshops_are_a_plain_404(client, db, people, room):
    signed_in(client, db, people.facilitator)
    for path in (
        f"/exports/workshop/{room.id}/passwords.csv",
        "/exports/workshop/x1/responses.csv",
        f"/exports/workshop/{room.id + 99}/responses.csv",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/plain")
    with pytest.raises(KeyError):
        export_url(room.id, "passwords.csv")
