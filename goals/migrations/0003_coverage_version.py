"""The version of the data the coverage of the council's goals is counted from.

`goals_coverage_version` holds one number that changes, in the same transaction, whenever rows
are added to or removed from the tables `goals.selectors.coverage_rollup` counts from, or a value
it counts by changes: a goal's agreement, its council goals, a follow-up's status, an agreement's
state, period, unit or signed version, a unit's area, committee, kind or dates. The roll-up is cached under that number
(`goals.selectors.coverage_version`), so a cached roll-up is never read after such a change has
committed, whatever made it (services, the admin, bulk updates, raw SQL).

The number comes from a sequence, so it never repeats, not even after a rolled-back transaction.
The table is not a model: emptying the models' tables between tests leaves it alone.
"""

from django.db import migrations

# (table, the columns whose change changes the roll-up)
WATCHED = [
    ("goals_goal", ["agreement_id"]),
    ("goals_goal_council_goals", ["goal_id", "councilgoal_id"]),
    ("goals_goalfollowup", ["goal_id", "status", "is_latest"]),
    ("agreements_agreement", ["state", "period_id", "unit_id", "signed_version_id"]),
    ("units_unit", ["area_id", "committee_id", "kind", "active_from", "closed_at"]),
]

CREATE = """
CREATE SEQUENCE goals_coverage_version_seq;
CREATE TABLE goals_coverage_version (number bigint NOT NULL);
INSERT INTO goals_coverage_version VALUES (nextval('goals_coverage_version_seq'));
CREATE FUNCTION goals_coverage_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE goals_coverage_version SET number = nextval('goals_coverage_version_seq');
    RETURN NULL;
END;
$$;
""" + "".join(
    f"""
CREATE TRIGGER coverage_rows_added_or_removed AFTER INSERT OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION goals_coverage_changed();
CREATE TRIGGER coverage_row_changed AFTER UPDATE OF {", ".join(columns)} ON {table}
    FOR EACH ROW WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)})
    EXECUTE FUNCTION goals_coverage_changed();
"""
    for table, columns in WATCHED
)

DROP = "".join(
    f"""
DROP TRIGGER coverage_rows_added_or_removed ON {table};
DROP TRIGGER coverage_row_changed ON {table};
"""
    for table, _columns in WATCHED
) + """
DROP FUNCTION goals_coverage_changed();
DROP TABLE goals_coverage_version;
DROP SEQUENCE goals_coverage_version_seq;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0005_period_lock_after_days"),
        ("goals", "0002_indicator_library_measurements_follow_up"),
        ("units", "0002_organisation_changes_and_unique_email"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
