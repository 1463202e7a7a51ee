"""The data version also changes with what the agreement page and the review read from the cache
besides the content (`agreements.views.detail`, `review`): the committee's decisions (meeting
items and their meetings' titles and times), the returns to the leader (state changes), the
comments' text, and the assessment of a goal's latest follow-up.
"""

from django.db import migrations

from randers.data_version_sql import changes

COMMENT_BEFORE = ["agreement_id", "parent_id", "author_id", "resolved_at", "written_in_state"]

# (table, the columns watched before, the columns watched now; None: a table not watched before)
CHANGED = [
    ("agreements_meetingitem", None, ["meeting_id", "agreement_id", "decision", "decision_note"]),
    ("agreements_dialoguemeeting", None, ["title", "starts_at"]),
    ("agreements_statechange", None, ["agreement_id", "actor_id", "to_state", "reason"]),
    ("agreements_comment", COMMENT_BEFORE, [*COMMENT_BEFORE, "body"]),
]
FORWARD, BACKWARD = changes(CHANGED)

# A submitted follow-up is never changed by the services; a draft's assessment changes as it is
# written, and no page shows it from the cache, so only the latest (submitted) one is watched.
FORWARD += """
CREATE TRIGGER data_version_latest AFTER UPDATE OF assessment ON goals_goalfollowup
    FOR EACH ROW WHEN (NEW.is_latest AND OLD.assessment IS DISTINCT FROM NEW.assessment)
    EXECUTE FUNCTION data_version_bump();
"""
BACKWARD = "DROP TRIGGER data_version_latest ON goals_goalfollowup;" + BACKWARD


class Migration(migrations.Migration):
    dependencies = [("agreements", "0008_data_version_comments_and_cycle")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
