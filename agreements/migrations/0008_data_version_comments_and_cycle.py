"""The data version also changes with what the cached home page shows (`randers.views.home`):
the open comment threads a leader has to answer, the names and kinds of follow-up points, and the
end of a period (which periods are relevant, `Period.objects.relevant`, reads it).
"""

from django.db import migrations

PERIOD_BEFORE = [
    "name",
    "slug",
    "starts_on",
    "draft_due",
    "submit_due",
    "dialogue_starts",
    "dialogue_ends",
    "signing_due",
    "required_signers",
]
POINT_BEFORE = ["period_id", "due_on"]
COMMENT = ["agreement_id", "parent_id", "author_id", "resolved_at", "written_in_state"]

# (table, the columns watched before, the columns watched now; None: a table not watched before)
CHANGED = [
    ("agreements_period", PERIOD_BEFORE, [*PERIOD_BEFORE, "ends_on"]),
    ("agreements_followuppoint", POINT_BEFORE, [*POINT_BEFORE, "name", "kind"]),
    ("agreements_comment", None, COMMENT),
]


def _row_trigger(table: str, columns: list[str]) -> str:
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in columns)
    return f"""
CREATE TRIGGER data_version_row AFTER UPDATE OF {", ".join(f'"{c}"' for c in columns)} ON {table}
    FOR EACH ROW WHEN ({changed})
    EXECUTE FUNCTION data_version_bump();
"""


def _rows_trigger(table: str) -> str:
    return f"""
CREATE TRIGGER data_version_rows AFTER INSERT OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
"""


def _watch(table: str, columns: list[str] | None, *, new_table: bool) -> str:
    if columns is None:
        return (
            f"DROP TRIGGER data_version_row ON {table}; DROP TRIGGER data_version_rows ON {table};"
        )
    if new_table:
        return _rows_trigger(table) + _row_trigger(table, columns)
    return f"DROP TRIGGER data_version_row ON {table};" + _row_trigger(table, columns)


FORWARD = "".join(_watch(table, now, new_table=before is None) for table, before, now in CHANGED)
BACKWARD = "".join(_watch(table, before, new_table=False) for table, before, _now in CHANGED)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0007_content_version"),
        ("goals", "0004_data_version_names_and_slugs"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
