"""Alembic: `init` is safe to run twice and the migrations match the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from coordination.adapters.database import current_revision, head_revision
from coordination.domain import InvalidState


def test_initialising_twice_changes_nothing(app):
    before, after = app.services.initialise_database()
    assert before == after == head_revision()
    assert app.services.initialise_database() == (head_revision(), head_revision())
    assert current_revision(app.engine) == head_revision()


def test_the_migrations_create_exactly_the_models_tables(app):
    with app.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def _migrate(engine, revision: str, *, down: bool = False, audit_key: bytes | None = None) -> None:
    from alembic import command

    from coordination.adapters.database import alembic_config

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["audit_key"] = audit_key
        (command.downgrade if down else command.upgrade)(config, revision)


def test_0003_goes_down_without_the_digests_and_up_again_keeping_the_letters(tmp_path, clock):
    """At head: a dispatched letter in the outbox and 5 digests; down to 0002 and up again."""
    from coordination.bootstrap import bootstrap
    from coordination.config import Settings

    from ..helpers import dispatched, open_at_gate, seed

    app = bootstrap(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.db'}"), clock=clock)
    app.services.initialise_database()
    seed(app)
    dispatched(app, "urgent-appeal")
    open_at_gate(app, "urgent-appeal")
    clock.advance(days=3)
    assert app.services.send_reminders().digests == 5

    def outbox():
        with app.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT letter_version_id, recipient FROM outbox ORDER BY id").all()

    letters = outbox()[:1]
    assert len(outbox()) == 6 and letters[0][0] is not None

    _migrate(app.engine, "0002", down=True, audit_key=app.seal.key)
    assert current_revision(app.engine) == "0002" and outbox() == letters
    _migrate(app.engine, "head", audit_key=app.seal.key)
    assert [r["kind"] for r in app.services.list_outbox()] == ["letter"] and outbox() == letters
    assert app.services.send_reminders().digests == 5  # the reminders table came back empty: owed again
    app.engine.dispose()


def test_0009_upgrades_a_database_of_0008_with_letters_and_a_signatory(tmp_path, clock):
    """At 0008 with a letter drafted and issue 12's signatory: up to head, the mandates are seeded,
    the old signatory is gone (holders are entered again, never guessed), the versions keep their
    hashes (none has signers) and `audit verify` still passes."""
    import sqlalchemy as sa

    from coordination.bootstrap import bootstrap
    from coordination.config import Settings
    from coordination.domain.mandates import CODES

    from ..helpers import OFFICER, fill, seed

    app = bootstrap(Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'c.db'}"), clock=clock)
    app.services.initialise_database()
    seed(app)
    ref = app.services.open_action(type="urgent-appeal", country="HND", title="T", officer=OFFICER,
                                   beneficiaries=["B"]).reference
    app.services.submit_stage(reference=ref, officer=OFFICER)
    fill(app, ref, "urgent_appeal")

    def versions():
        with app.engine.connect() as connection:
            return connection.exec_driver_sql("SELECT id, fields, sha256 FROM letter_versions ORDER BY id").all()

    before = versions()
    _migrate(app.engine, "0008", down=True, audit_key=app.seal.key)
    assert current_revision(app.engine) == "0008"
    with app.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO signatories (organisation, name, title, titles, form_of_address, updated_by, updated_at) "
            "VALUES ('iachr', 'Old Person', 'Executive Secretary', '{}', NULL, 'admin', '2026-11-01 09:00:00')")
    _migrate(app.engine, "head", audit_key=app.seal.key)
    assert current_revision(app.engine) == head_revision()
    inspector = sa.inspect(app.engine)
    assert "signatories" not in inspector.get_table_names()
    assert "signers" in {c["name"] for c in inspector.get_columns("letter_versions")}
    assert [m.code for m in app.services.list_mandates()] == list(CODES)
    assert app.services.list_signatories() == []  # entered again by an admin after the upgrade
    assert versions() == before
    assert app.services.verify_audit().findings == []
    with pytest.raises(InvalidState, match="no holder of defenders"):
        app.services.submit_stage(reference=ref, officer=OFFICER)
    app.engine.dispose()
