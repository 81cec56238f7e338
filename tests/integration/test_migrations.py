"""Alembic: `init` is safe to run twice and the migrations match the models."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from coordination import services
from coordination.adapters.database import current_revision, head_revision


def test_initialising_twice_changes_nothing(app):
    before, after = services.initialise_database(app)
    assert before == after == head_revision()
    assert services.initialise_database(app) == (head_revision(), head_revision())
    assert current_revision(app.engine) == head_revision()


def test_the_migrations_create_exactly_the_models_tables(app):
    with app.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []
