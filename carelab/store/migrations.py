"""CareLab's schema: the numbered migrations, applied in order by carelab.store.db.migrate.

Each is one named step; a migration never changes once released, and a change to the
schema is a new one at the end. All of them run inside one BEGIN IMMEDIATE transaction
(see migrate), so they must not commit on their own.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from carelab.store import lti_schema, xapi_schema

migrations = Migrations("carelab")


@migrations(name="0001_accounts")
def _accounts(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at REAL NOT NULL,
            failed_signins INTEGER NOT NULL DEFAULT 0,
            locked_until REAL
        );
        CREATE TABLE user_roles (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('facilitator', 'author', 'admin')),
            granted_at REAL NOT NULL,
            granted_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            PRIMARY KEY (user_id, role)
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL
        );
        CREATE INDEX sessions_user ON sessions(user_id);
        CREATE TABLE sign_in_handoffs (
            code_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            expires_at REAL NOT NULL
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


@migrations(name="0002_learning")
def _learning(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            module_id TEXT NOT NULL,
            module_version TEXT NOT NULL,
            number INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            started_at REAL NOT NULL,
            current_step TEXT,
            completed_at REAL,
            score REAL,
            UNIQUE (user_id, module_id, number)
        );
        CREATE INDEX attempts_user ON attempts(user_id, module_id);
        CREATE TABLE answers (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            first_response TEXT NOT NULL,
            score REAL NOT NULL,
            last_response TEXT NOT NULL,
            last_correct INTEGER NOT NULL,
            tries INTEGER NOT NULL,
            answered_at REAL NOT NULL,
            PRIMARY KEY (attempt_id, question_id)
        );
        CREATE TABLE step_progress (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            done_at REAL NOT NULL,
            PRIMARY KEY (attempt_id, step_id)
        );
        CREATE TABLE reflections (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            step_id TEXT NOT NULL,
            step_title TEXT NOT NULL,
            prompt TEXT NOT NULL,
            what TEXT NOT NULL,
            so_what TEXT NOT NULL,
            now_what TEXT NOT NULL,
            saved_at REAL NOT NULL,
            PRIMARY KEY (attempt_id, step_id)
        );
        CREATE TABLE certificates (
            code TEXT PRIMARY KEY,
            attempt_id INTEGER UNIQUE REFERENCES attempts(id) ON DELETE SET NULL,
            user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            learner_name TEXT,
            module_id TEXT NOT NULL,
            module_title TEXT NOT NULL,
            module_version TEXT NOT NULL,
            objectives TEXT NOT NULL,
            estimated_minutes INTEGER NOT NULL,
            attested_minutes INTEGER NOT NULL,
            score REAL,
            completed_at REAL NOT NULL
        );
        """,
    )


@migrations(name="0003_workshops")
def _workshops(db: Database) -> None:
    # Participants have no account: a random token (stored only as its SHA-256) is their
    # identity. `version` rises with every facilitator change, so phones can long-poll it.
    db.executescript(
        """
        CREATE TABLE workshops (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            source_kind TEXT NOT NULL CHECK (source_kind IN ('case', 'module')),
            source_id TEXT NOT NULL,
            facilitator_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            anonymous INTEGER NOT NULL DEFAULT 1 CHECK (anonymous IN (0, 1)),
            created_at REAL NOT NULL,
            ended_at REAL,
            step_count INTEGER NOT NULL CHECK (step_count > 0),
            current_step INTEGER NOT NULL DEFAULT 0,
            answering_open INTEGER NOT NULL DEFAULT 0 CHECK (answering_open IN (0, 1)),
            results_revealed INTEGER NOT NULL DEFAULT 0 CHECK (results_revealed IN (0, 1)),
            answer_revealed INTEGER NOT NULL DEFAULT 0 CHECK (answer_revealed IN (0, 1)),
            timer_ends_at REAL,
            version INTEGER NOT NULL DEFAULT 1,
            CHECK (current_step >= 0 AND current_step < step_count)
        );
        CREATE INDEX workshops_facilitator ON workshops(facilitator_id, created_at);
        CREATE TABLE workshop_steps (
            workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
            step_index INTEGER NOT NULL CHECK (step_index >= 0),
            step TEXT NOT NULL,
            PRIMARY KEY (workshop_id, step_index)
        );
        CREATE TABLE workshop_participants (
            id INTEGER PRIMARY KEY,
            workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            number INTEGER NOT NULL,
            nickname TEXT NOT NULL DEFAULT '',
            joined_at REAL NOT NULL,
            last_seen REAL NOT NULL,
            UNIQUE (workshop_id, number)
        );
        CREATE TABLE workshop_responses (
            workshop_id INTEGER NOT NULL,
            step_index INTEGER NOT NULL,
            participant_id INTEGER NOT NULL
                REFERENCES workshop_participants(id) ON DELETE CASCADE,
            answer TEXT NOT NULL,
            hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
            first_answered_at REAL NOT NULL,
            last_answered_at REAL NOT NULL,
            PRIMARY KEY (workshop_id, step_index, participant_id),
            FOREIGN KEY (workshop_id, step_index)
                REFERENCES workshop_steps(workshop_id, step_index) ON DELETE CASCADE
        );
        CREATE INDEX workshop_responses_participant ON workshop_responses(participant_id);
        CREATE TABLE workshop_join_attempts (
            client_key TEXT NOT NULL,
            attempted_at REAL NOT NULL
        );
        CREATE INDEX workshop_join_attempts_key
            ON workshop_join_attempts(client_key, attempted_at);
        """,
    )


@migrations(name="0004_security")
def _security(db: Database) -> None:
    # Sign-in and sign-up attempts, each recorded before its password check and kept until
    # it ages out (a successful sign-in deletes its email's rows). `email_key` is a SHA-256
    # of the typed email, lower-cased: unknown emails are throttled exactly like real ones,
    # and no typed text (sometimes a password typed in the wrong box) is kept. This replaces
    # users.failed_signins and users.locked_until, which stay unused. A setup token (its
    # SHA-256) exists only while the database has no administrator.
    db.executescript(
        """
        CREATE TABLE auth_attempts (
            kind TEXT NOT NULL CHECK (kind IN ('sign-in', 'sign-up')),
            email_key TEXT NOT NULL,
            address TEXT NOT NULL,
            attempted_at REAL NOT NULL
        );
        CREATE INDEX auth_attempts_email ON auth_attempts(email_key, kind, attempted_at);
        CREATE INDEX auth_attempts_address ON auth_attempts(address, kind, attempted_at);
        CREATE INDEX auth_attempts_time ON auth_attempts(attempted_at);
        CREATE TABLE setup_tokens (
            token_hash TEXT PRIMARY KEY,
            created_at REAL NOT NULL
        );
        """,
    )


@migrations(name="0005_case_progress")
def _case_progress(db: Database) -> None:
    # A learner's own answers to a case's quiz (on the case page) are an attempt like a
    # module's, so they reuse the answers table, its first-answer scoring and its idempotent
    # upsert. For a case attempt, module_id holds the case id and module_version the case's
    # version. The old UNIQUE (user_id, module_id, number) stays (SQLite cannot drop it
    # without rebuilding a table that four others reference), so numbers are counted per
    # id across both kinds: a case and a module that share an id never share a number.
    db.execute(
        "ALTER TABLE attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'module' "
        "CHECK (kind IN ('module', 'case'))"
    )
    db.execute("CREATE INDEX attempts_kind ON attempts(user_id, kind, module_id)")


@migrations(name="0006_active_time")
def _active_time(db: Database) -> None:
    # Time on task for the certificate (carelab.learning.active_time): the seconds between
    # a learner's actions in the module player, each gap capped, added up per attempt, and
    # when the last action was, to measure the next gap from.
    db.execute("ALTER TABLE attempts ADD COLUMN active_seconds REAL NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE attempts ADD COLUMN last_action_at REAL")
    # Certificates issued before this attest the learner's own claim (capped at the
    # estimate); they keep saying so, and new ones say the time was measured.
    db.execute(
        "ALTER TABLE certificates ADD COLUMN time_basis TEXT NOT NULL DEFAULT 'measured' "
        "CHECK (time_basis IN ('claimed', 'measured'))"
    )
    db.execute("UPDATE certificates SET time_basis = 'claimed'")


@migrations(name="0007_join_pacing")
def _join_pacing(db: Database) -> None:
    # When each address over the wrong-code limit may next look a join code up, shared by
    # every CareLab process on the database (carelab/room/pacing.py); rows are forgotten a
    # minute after their time has passed.
    db.executescript(
        """
        CREATE TABLE workshop_join_pacing (
            client_key TEXT PRIMARY KEY,
            next_at REAL NOT NULL
        );
        """,
    )


@migrations(name="0008_confidence")
def _confidence(db: Database) -> None:
    # How sure the learner said they were of their first answer to a question, in a module
    # with `confidence: true` (carelab.learning.confidence): 'low', 'medium' or 'high'; NULL
    # where it was not asked. Like `score`, it belongs to the first answer and never changes.
    db.execute(
        "ALTER TABLE answers ADD COLUMN first_confidence TEXT "
        "CHECK (first_confidence IN ('low', 'medium', 'high'))"
    )


@migrations(name="0009_review_queue")
def _review_queue(db: Database) -> None:
    # Spaced retrieval (carelab.learning.review): the questions each learner will see again,
    # at which stage of the expanding intervals, and when they are next due.
    db.executescript(
        """
        CREATE TABLE review_items (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            module_id TEXT NOT NULL,
            step_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            stage INTEGER NOT NULL,
            confident_streak INTEGER NOT NULL,
            due_at REAL NOT NULL,
            added_at REAL NOT NULL,
            last_reviewed_at REAL,
            PRIMARY KEY (user_id, module_id, question_id)
        );
        CREATE INDEX review_items_due ON review_items(user_id, due_at);
        """
    )


@migrations(name="0010_pre_test")
def _pre_test(db: Database) -> None:
    # A module's pre-test (carelab.learning.pre_test): each first answer, scored and saved
    # the moment it is given (a later one is ignored), and how the pre-test ended: taken
    # (with its score, the share of its points) or skipped. The certificate keeps the
    # pre-test score beside the module score it was issued with, so the gain it shows
    # never changes.
    db.executescript(
        """
        CREATE TABLE pre_test_answers (
            attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            response TEXT NOT NULL,
            score REAL NOT NULL,
            answered_at REAL NOT NULL,
            PRIMARY KEY (attempt_id, question_id)
        );
        CREATE TABLE pre_test_results (
            attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id) ON DELETE CASCADE,
            outcome TEXT NOT NULL CHECK (outcome IN ('taken', 'skipped')),
            score REAL,
            questions INTEGER NOT NULL,
            finished_at REAL NOT NULL
        );
        ALTER TABLE certificates ADD COLUMN pre_test_score REAL;
        """
    )


@migrations(name="0011_evaluation")
def _evaluation(db: Database) -> None:
    # The evaluation after a module (carelab.learning.evaluation): one per completed attempt,
    # submitted (ratings 1-5, each may be skipped, and two free texts) or declined (asked once,
    # never again); the follow-up on the learner's intended change, answered from its date.
    # A certificate keeps the assessment it was issued under (NULL before this migration).
    db.executescript(
        """
        CREATE TABLE evaluations (
            attempt_id INTEGER PRIMARY KEY REFERENCES attempts(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('submitted', 'declined')),
            relevance INTEGER CHECK (relevance BETWEEN 1 AND 5),
            quality INTEGER CHECK (quality BETWEEN 1 AND 5),
            balance INTEGER CHECK (balance BETWEEN 1 AND 5),
            missing TEXT NOT NULL DEFAULT '',
            intent TEXT NOT NULL DEFAULT '',
            follow_up_at REAL,
            saved_at REAL NOT NULL
        );
        CREATE TABLE evaluation_follow_ups (
            attempt_id INTEGER PRIMARY KEY REFERENCES evaluations(attempt_id) ON DELETE CASCADE,
            outcome TEXT NOT NULL CHECK (outcome IN ('made', 'partly', 'not_yet')),
            obstacles TEXT NOT NULL DEFAULT '',
            answered_at REAL NOT NULL
        );
        ALTER TABLE certificates ADD COLUMN assessment_questions INTEGER;
        ALTER TABLE certificates ADD COLUMN pass_mark REAL;
        """
    )


@migrations(name="0012_review_digest")
def _review_digest(db: Database) -> None:
    # The weekly e-mail of due reviews (carelab.learning.digest): whether a learner said no
    # to it, and when their last one went out, so that two runs in one week (or one run on
    # each server of a cluster) send it once. No row: the site's default (they get it).
    db.executescript(
        """
        CREATE TABLE review_digests (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            opted_out INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1)),
            last_sent_at REAL
        );
        """
    )


@migrations(name="0013_room_second_edition")
def _room_second_edition(db: Database) -> None:
    # The room's second edition (issue 15): a presenter screen opened by a token kept only
    # as its SHA-256 and good until the workshop ends; questions from the floor with one
    # upvote per phone; quiz scoring (scored, speed_bonus, a leaderboard shown only when
    # revealed), timed from when answering first opened on a step (workshop_steps.opened_at);
    # self-paced rooms, where each phone keeps its own step (workshop_participants.at_step);
    # scheduling, duplicating (copied_from) and templates.
    db.executescript(
        """
        ALTER TABLE workshops ADD COLUMN presenter_token_hash TEXT;
        ALTER TABLE workshops ADD COLUMN floor_questions INTEGER NOT NULL DEFAULT 0
            CHECK (floor_questions IN (0, 1));
        ALTER TABLE workshops ADD COLUMN floor_moderated INTEGER NOT NULL DEFAULT 0
            CHECK (floor_moderated IN (0, 1));
        ALTER TABLE workshops ADD COLUMN floor_spotlight_id INTEGER;
        ALTER TABLE workshops ADD COLUMN floor_version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE workshops ADD COLUMN scored INTEGER NOT NULL DEFAULT 0
            CHECK (scored IN (0, 1));
        ALTER TABLE workshops ADD COLUMN speed_bonus INTEGER NOT NULL DEFAULT 0
            CHECK (speed_bonus IN (0, 1));
        ALTER TABLE workshops ADD COLUMN leaderboard_revealed INTEGER NOT NULL DEFAULT 0
            CHECK (leaderboard_revealed IN (0, 1));
        ALTER TABLE workshops ADD COLUMN self_paced INTEGER NOT NULL DEFAULT 0
            CHECK (self_paced IN (0, 1));
        ALTER TABLE workshops ADD COLUMN scheduled_for REAL;
        ALTER TABLE workshops ADD COLUMN copied_from INTEGER;
        ALTER TABLE workshop_steps ADD COLUMN opened_at REAL;
        ALTER TABLE workshop_participants ADD COLUMN at_step INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE workshop_floor_questions (
            id INTEGER PRIMARY KEY,
            workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
            participant_id INTEGER REFERENCES workshop_participants(id) ON DELETE SET NULL,
            text TEXT NOT NULL,
            status TEXT NOT NULL
                CHECK (status IN ('pending', 'open', 'hidden', 'answered')),
            votes INTEGER NOT NULL DEFAULT 0,
            asked_at REAL NOT NULL,
            changed_at REAL NOT NULL
        );
        CREATE INDEX workshop_floor_questions_workshop
            ON workshop_floor_questions(workshop_id, status);
        CREATE TABLE workshop_floor_votes (
            question_id INTEGER NOT NULL
                REFERENCES workshop_floor_questions(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL
                REFERENCES workshop_participants(id) ON DELETE CASCADE,
            voted_at REAL NOT NULL,
            PRIMARY KEY (question_id, participant_id)
        );
        CREATE INDEX workshop_floor_votes_participant ON workshop_floor_votes(participant_id);
        CREATE TABLE workshop_templates (
            id INTEGER PRIMARY KEY,
            owner_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            source_kind TEXT NOT NULL CHECK (source_kind IN ('case', 'module')),
            source_id TEXT NOT NULL,
            steps TEXT NOT NULL,
            settings TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE INDEX workshop_templates_owner ON workshop_templates(owner_id, created_at);
        """
    )


@migrations(name="0017_quiz")
def _quiz(db: Database) -> None:
    # Quiz scoring with points for speed needs each step's answer window after the room has
    # moved on: the end of the last countdown started on the step (the workshop's own
    # timer_ends_at is cleared when the step changes). See carelab.workshop.quiz.
    db.executescript("ALTER TABLE workshop_steps ADD COLUMN timer_ends_at REAL;")


@migrations(name="0018_lti")
def _lti(db: Database) -> None:
    # LTI 1.3 (issue 16): registered platforms, CareLab's signing keys, one-use login state
    # and nonces, linked accounts, launches and the AGS grade outbox. See store/lti_schema.py.
    db.executescript(lti_schema.SQLITE)


@migrations(name="0019_xapi")
def _xapi(db: Database) -> None:
    # xAPI (issue 16): the outbox of statements for a Learning Record Store, and each
    # learner's opaque name there. See store/xapi_schema.py.
    db.executescript(xapi_schema.SQLITE)


@migrations(name="0020_lti_registration_links")
def _lti_links(db: Database) -> None:
    # LTI Dynamic Registration: an administrator's one-time registration links (hashed).
    db.executescript(lti_schema.LINKS_SQLITE)
