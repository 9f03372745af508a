"""A review's stars and text can never change once posted: the database refuses such an UPDATE itself.

SQLite and PostgreSQL each get a trigger; other backends get none (the services have no update path anyway).
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE TRIGGER reviews_review_immutable BEFORE UPDATE OF stars, text ON reviews_review
FOR EACH ROW WHEN NEW.stars IS NOT OLD.stars OR NEW.text IS NOT OLD.text
BEGIN SELECT RAISE(ABORT, 'review stars and text are immutable'); END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS reviews_review_immutable;"

POSTGRES_CREATE = ["""
CREATE FUNCTION reviews_review_immutable() RETURNS trigger AS $$
BEGIN
    IF NEW.stars IS DISTINCT FROM OLD.stars OR NEW.text IS DISTINCT FROM OLD.text THEN
        RAISE EXCEPTION 'review stars and text are immutable' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""", """
CREATE TRIGGER reviews_review_immutable BEFORE UPDATE ON reviews_review
FOR EACH ROW EXECUTE FUNCTION reviews_review_immutable()
"""]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS reviews_review_immutable ON reviews_review",
    "DROP FUNCTION IF EXISTS reviews_review_immutable()",
]


def _run(apps, schema_editor, *, create: bool):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE if create else SQLITE_DROP)
    elif vendor == "postgresql":
        # One statement per call: the driver refuses several commands in one prepared statement.
        for statement in POSTGRES_CREATE if create else POSTGRES_DROP:
            schema_editor.execute(statement)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(apps, schema_editor, create=True)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(apps, schema_editor, create=False)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
