"""The data version also changes with what the cached listings show (`randers.versions.rendered`):
the slugs in their links and filter choices, the names of the people who lead units, and the
council's goals.
"""

from django.db import migrations

from randers.data_version_sql import changes

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


FORWARD, BACKWARD = changes(CHANGED)


class Migration(migrations.Migration):
    dependencies = [
        ("goals", "0003_data_version"),
        ("units", "0004_unit_name_trigram_index"),
        ("agreements", "0006_search_version"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
