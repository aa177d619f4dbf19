"""A CareLab server beside an lti1p3platform LMS: the setting every LTI test starts from."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from carelab.integration.lti import registration
from carelab.store import db as store_db
from tests.lti.platform import LmsPlatform
from tests.serving import ServerProcess

MODULE = """\
id: lti-m
title: Handover basics
summary: A short module launched from the LMS.
learning_objectives: [Hand over a patient safely]
estimated_minutes: 10
version: "1.0"
pass_mark: 0.5
sources:
  - {id: s, citation: Someone 2020.}
steps:
  - {id: read, kind: text, title: Read, body: Text.}
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - {id: q1, kind: true_false, prompt: P, explanation: E, answer: true, source: s}
      - {id: q2, kind: numeric, prompt: P, explanation: E, answer: 10, tolerance: 1}
  - {id: think, kind: reflection, title: Think, prompt: Reflect.}
"""


@contextmanager
def lms_and_carelab(
    work: Path, register: bool = True
) -> Iterator[tuple[LmsPlatform, ServerProcess]]:
    """Start CareLab (with the module `lti-m`) and an LMS; with `register`, as an admin would."""
    server = ServerProcess(work)
    (work / "content" / "modules" / "lti-m.yaml").write_text(MODULE, encoding="utf-8")
    # Unregistered, the LMS starts with wrong tool URLs: registration must give it the real ones.
    with LmsPlatform(server.url if register else "http://127.0.0.1:9") as lms:
        server.start()
        if register:
            with store_db.session(Path(server.env["CARELAB_DB"])) as db:
                e = lms.endpoints
                registration.add_platform(db, e["issuer"], e["client_id"], [e["deployment_id"]],
                                          e["jwks_url"], e["auth_url"], e["token_url"])  # fmt: skip
        try:
            yield lms, server
        finally:
            server.stop()
