"""The version of the data that cached counts and the public list are read from
(`randers.versions`).

`data_version` holds one number that changes, in the same transaction, whenever rows are added
to or removed from the tables below, or one of the listed columns changes value: what the
coverage roll-up of the council's goals counts (goals, their council goals, follow-up statuses,
agreements' state and placement, units' placement and dates) and what a director's or chair's
tasks are counted from (signatures, versions, follow-up reports, deadlines, unit names, area
directors), and what the public list of signed agreements shows (names of units, areas,
committees and periods, the date of signing). Counts and the list are cached under that number,
so nothing cached is read after such a change has committed, whatever made it (services, the
admin, bulk updates, raw SQL).

The number comes from a sequence, so it never repeats, not even after a rolled-back transaction.
The table is not a model: emptying the models' tables between tests leaves it alone.
"""

from django.db import migrations

# (table, the columns whose change changes a cached count)
WATCHED = [
    ("goals_goal", ["agreement_id"]),
    ("goals_goal_council_goals", ["goal_id", "councilgoal_id"]),
    ("goals_goalfollowup", ["goal_id", "status", "is_latest"]),
    ("goals_followupreport", ["agreement_id", "point_id", "state", "is_current"]),
    (
        "agreements_agreement",
        ["state", "period_id", "unit_id", "signed_version_id", "submitted_at", "signed_at"],
    ),
    ("agreements_agreementversion", ["agreement_id", "number"]),
    ("agreements_signature", ["version_id", "role"]),
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
    ),
    ("agreements_followuppoint", ["period_id", "due_on"]),
    (
        "units_unit",
        ["name", "area_id", "committee_id", "kind", "leader_id", "active_from", "closed_at"],
    ),
    ("units_area", ["name", "director_id"]),
    ("units_committee", ["name"]),
]

CREATE = """
CREATE SEQUENCE data_version_seq;
CREATE TABLE data_version (number bigint NOT NULL);
INSERT INTO data_version VALUES (nextval('data_version_seq'));
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET number = nextval('data_version_seq');
    RETURN NULL;
END;
$$;
""" + "".join(
    f"""
CREATE TRIGGER data_version_rows AFTER INSERT OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_row AFTER UPDATE OF {", ".join(columns)} ON {table}
    FOR EACH ROW WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)})
    EXECUTE FUNCTION data_version_bump();
"""
    for table, columns in WATCHED
)

DROP = "".join(
    f"""
DROP TRIGGER data_version_rows ON {table};
DROP TRIGGER data_version_row ON {table};
"""
    for table, _columns in WATCHED
) + """
DROP FUNCTION data_version_bump();
DROP TABLE data_version;
DROP SEQUENCE data_version_seq;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0005_period_lock_after_days"),
        ("goals", "0002_indicator_library_measurements_follow_up"),
        ("units", "0003_unit_name_indexes"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
