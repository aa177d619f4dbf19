"""The SQL behind LTI (store/lti.py, store/lti_grades.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import socket
import time

import pytest

from carelab import auth
from carelab.integration.lti import grades, keys, registration
from carelab.integration.lti.errors import RegistrationError
from carelab.learning.events import LearningEvent
from carelab.store import lti as store
from carelab.store import lti_grades

ISSUER = "https://lms.example.org"


@pytest.fixture
def platform(db):
    return registration.add_platform(
        db, ISSUER, "c1", ["d1", "d2", "d1"], f"{ISSUER}/jwks", f"{ISSUER}/auth",
        f"{ISSUER}/token", now=100.0,
    )  # fmt: skip


@pytest.fixture
def learner(db):
    return auth.create_account(db, "lee@example.org", "correct horse battery", "Lee")


def test_platforms_are_unique_by_issuer_and_client_and_keep_their_deployments(db, platform):
    assert registration.list_platforms(db) == [platform]
    assert platform.deployment_ids == ("d1", "d2")
    with pytest.raises(RegistrationError) as caught:
        registration.add_platform(db, ISSUER, "c1", ["d9"], f"{ISSUER}/jwks", f"{ISSUER}/auth",
                                  f"{ISSUER}/token")  # fmt: skip
    assert caught.value.problems == [
        f"Issuer and client ID: {ISSUER} with client ID c1 is already registered."
    ]
    other = registration.add_platform(db, ISSUER, "c2", ["d1"], f"{ISSUER}/jwks",
                                      f"{ISSUER}/auth", f"{ISSUER}/token")  # fmt: skip
    assert store.platform_for(db, ISSUER, "c2")["id"] == other.id
    assert store.platform_for(db, ISSUER, None) is None  # ambiguous without a client id
    assert registration.remove_platform(db, other.id) is True
    assert store.platform_for(db, ISSUER, None)["id"] == platform.id
    assert registration.remove_platform(db, other.id) is False


def test_a_registration_lists_every_problem_by_field(db):
    with pytest.raises(RegistrationError) as caught:
        registration.add_platform(db, "lms.example.org", "", [], "http://lms.example.org/jwks",
                                  "ftp://x", "")  # fmt: skip
    assert caught.value.problems == [
        "Issuer: must be a full address starting with https:// (got 'lms.example.org').",
        "Client ID: required.",
        "Deployment ID: at least one is required.",
        "Platform key set URL (JWKS): must use https:// (plain http:// is allowed only for "
        "localhost).",
        "Authentication request URL: must be a full address starting with https:// (got "
        "'ftp://x').",
        "Access token URL: required.",
    ]
    assert registration.list_platforms(db) == []


def test_keys_rotate_and_the_retired_key_stays_published_for_a_week(db):
    first, _ = keys.current(db, now=1000.0)
    assert keys.current(db)[0] == first  # made once
    second = keys.rotate(db, now=2000.0)
    assert keys.current(db)[0] == second != first
    published = [k["kid"] for k in keys.jwks(db, now=3000.0)["keys"]]
    assert published == [second, first]
    assert all(k["alg"] == "RS256" and "d" not in k for k in keys.jwks(db, now=3000.0)["keys"])
    later = 2000.0 + keys.RETIRED_KEEP_SECONDS + 1
    assert [k["kid"] for k in keys.jwks(db, now=later)["keys"]] == [second]


def test_login_state_is_taken_once_and_nonces_are_used_once(db, platform):
    store.insert_state(db, "h1", "n1", platform.id, 200.0, 100.0)
    assert store.take_state(db, "h1", 150.0)["nonce"] == "n1"
    assert store.take_state(db, "h1", 150.0) is None
    store.insert_state(db, "h2", "n2", platform.id, 200.0, 100.0)
    assert store.take_state(db, "h2", 201.0) is None  # expired
    assert store.use_nonce(db, platform.id, "n1", 500.0, 100.0) is True
    assert store.use_nonce(db, platform.id, "n1", 500.0, 100.0) is False
    assert store.use_nonce(db, platform.id, "n1", 900.0, 501.0) is True  # swept once expired


def test_deep_link_requests_are_used_once(db, platform):
    row = {"platform_id": platform.id, "deployment_id": "d1", "return_url": "https://x/r",
           "data": '{"a": 1}', "expires_at": 200.0}  # fmt: skip
    store.insert_deep_link(db, "t1", row, 100.0)
    assert store.deep_link(db, "t1", 150.0)["return_url"] == "https://x/r"
    assert store.take_deep_link(db, "t1", 150.0)["data"] == '{"a": 1}'
    assert store.take_deep_link(db, "t1", 150.0) is None


def _launch(db, platform, user_id, lineitem, sub="s1"):
    store.insert_launch(db, {
        "platform_id": platform.id, "user_id": user_id, "sub": sub, "deployment_id": "d1",
        "context_id": "c", "resource_link_id": "r", "target_kind": "module", "target_id": "m",
        "lineitem_url": lineitem, "launched_at": 100.0,
    })  # fmt: skip


def _completed(user_id, attempt_id=1, score=0.75):
    return LearningEvent("completed", user_id, "module", "m", "M", attempt_id, 100.0,
                         score_scaled=score, passed=True)  # fmt: skip


def test_completion_queues_one_score_per_line_item_once(db, platform, learner):
    _launch(db, platform, learner.id, f"{ISSUER}/li/1")
    _launch(db, platform, learner.id, f"{ISSUER}/li/1")  # launched twice from one link
    _launch(db, platform, learner.id, None)  # a link without grades
    store.link_user(db, ISSUER, "s1", learner.id, 100.0)
    assert grades.queue_completion(db, _completed(learner.id)) == 1
    assert grades.queue_completion(db, _completed(learner.id)) == 0  # told twice: once
    (row,) = lti_grades.grades(db)
    assert (row["score_given"], row["score_maximum"], row["sub"]) == (75.0, 100, "s1")
    assert grades.score_document(row) == {
        "userId": "s1", "activityProgress": "Completed", "gradingProgress": "FullyGraded",
        "timestamp": "1970-01-01T00:01:40+00:00", "scoreGiven": 75.0, "scoreMaximum": 100,
    }  # fmt: skip


def test_claims_are_leased_so_two_senders_never_take_one_score(db, platform, learner):
    _launch(db, platform, learner.id, f"{ISSUER}/li/1")
    grades.queue_completion(db, _completed(learner.id))
    (claimed,) = lti_grades.claim_due(db, 200.0, 60.0, 10)
    assert lti_grades.claim_due(db, 201.0, 60.0, 10) == []  # leased to the first sender
    assert len(lti_grades.claim_due(db, 261.0, 60.0, 10)) == 1  # the lease ran out
    lti_grades.mark_sent(db, claimed["id"], 262.0)
    assert lti_grades.claim_due(db, 999.0, 60.0, 10) == []
    assert lti_grades.counts(db) == {"sent": 1, "waiting": 0, "failing": 0}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_failed_send_is_kept_with_its_error_and_retried_with_backoff(db, learner):
    down = f"http://127.0.0.1:{_closed_port()}"
    made = registration.add_platform(db, down, "c1", ["d1"], f"{down}/jwks", f"{down}/auth",
                                     f"{down}/token")  # fmt: skip
    _launch(db, made, learner.id, f"{down}/li/1")
    grades.queue_completion(db, _completed(learner.id))
    now = time.time()
    assert grades.send_due(db, now) == (0, 1)
    (row,) = lti_grades.grades(db, unsent_only=True)
    assert row["tries"] == 1 and "could not reach" in row["last_error"]
    assert row["next_try_at"] == pytest.approx(now + 30)
    assert lti_grades.counts(db) == {"sent": 0, "waiting": 0, "failing": 1}
    assert grades.send_due(db, now + 1) == (0, 0)  # not due yet
    assert lti_grades.retry_now(db, now + 2) == 1
    grades.send_due(db, now + 2)
    assert lti_grades.grades(db)[0]["next_try_at"] == pytest.approx(now + 2 + 60)  # doubled
    assert [grades.retry_delay(n) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
