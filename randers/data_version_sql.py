"""The SQL of the data version's triggers (`randers.versions`), for the migrations that choose
what the version watches (goals/migrations/0003_data_version.py creates the version and its
function). Migrations call these once, when they are applied: change what a table is watched for
in a new migration, never by changing these."""


def row_trigger(table: str, columns: list[str]) -> str:
    """The version changes when one of `columns` of a row of `table` changes value."""
    changed = " OR ".join(f'OLD."{c}" IS DISTINCT FROM NEW."{c}"' for c in columns)
    return f"""
CREATE TRIGGER data_version_row AFTER UPDATE OF {", ".join(f'"{c}"' for c in columns)} ON {table}
    FOR EACH ROW WHEN ({changed})
    EXECUTE FUNCTION data_version_bump();
"""


def rows_trigger(table: str) -> str:
    """The version changes when rows are added to or removed from `table`."""
    return f"""
CREATE TRIGGER data_version_rows AFTER INSERT OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
"""


def watch(table: str, columns: list[str] | None, *, new_table: bool) -> str:
    """Watch `columns` of `table` from now on: a table not watched before (`new_table`) gets both
    triggers; None stops watching it."""
    if columns is None:
        return (
            f"DROP TRIGGER data_version_row ON {table}; DROP TRIGGER data_version_rows ON {table};"
        )
    if new_table:
        return rows_trigger(table) + row_trigger(table, columns)
    return f"DROP TRIGGER data_version_row ON {table};" + row_trigger(table, columns)


def changes(watched: list[tuple[str, list[str] | None, list[str]]]) -> tuple[str, str]:
    """The SQL forward and back for (table, the columns watched before, the columns watched now;
    None: a table not watched before)."""
    forward = "".join(watch(table, now, new_table=before is None) for table, before, now in watched)
    backward = "".join(watch(table, before, new_table=False) for table, before, _now in watched)
    return forward, backward
