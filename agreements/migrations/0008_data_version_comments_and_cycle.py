"""The data version also changes with what the cached home page shows (`randers.views.home`):
the open comment threads a leader has to answer, the names and kinds of follow-up points, and the
end of a period (which periods are relevant, `Period.objects.relevant`, reads it).
"""

from django.db import migrations

from randers.data_version_sql import changes

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


FORWARD, BACKWARD = changes(CHANGED)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0007_content_version"),
        ("goals", "0004_data_version_names_and_slugs"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
