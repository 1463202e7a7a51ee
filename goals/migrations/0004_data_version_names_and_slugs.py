"""The data version also changes with what the cached listings show (`randers.versions.rendered`):
the slugs in their links and filter choices, the names of the people who lead units, and the
council's goals.
"""

from django.db import migrations

# (table, the columns watched before, the columns watched now; None: a table not watched before)
CHANGED = [
    (
        "units_unit",
        ["name", "area_id", "committee_id", "kind", "leader_id", "active_from", "closed_at"],
        [
            "name",
            "slug",
            "area_id",
            "committee_id",
            "kind",
            "leader_id",
            "active_from",
            "closed_at",
        ],
    ),
    ("units_area", ["name", "director_id"], ["name", "slug", "director_id"]),
    ("units_committee", ["name"], ["name", "slug"]),
    (
        "agreements_period",
        [
            "name",
            "starts_on",
            "draft_due",
            "submit_due",
            "dialogue_starts",
            "dialogue_ends",
            "signing_due",
            "required_signers",
        ],
        [
            "name",
            "slug",
            "starts_on",
            "draft_due",
            "submit_due",
            "dialogue_starts",
            "dialogue_ends",
            "signing_due",
            "required_signers",
        ],
    ),
    ("units_user", None, ["first_name", "last_name", "username"]),
    (
        "goals_councilgoal",
        None,
        ["title", "slug", "kind", "description", "committee_id", "order", "active"],
    ),
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
        ("goals", "0003_data_version"),
        ("units", "0004_unit_name_trigram_index"),
        ("agreements", "0006_search_version"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
