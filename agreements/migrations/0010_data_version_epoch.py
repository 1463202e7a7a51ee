"""An epoch beside the data version's number (`randers.versions`): what is cached under a version
is keyed by both, so another database (a new one, or one restored from a backup, whose sequence
counts the same numbers again) never reads what was cached for this one. A new database gets an
epoch of its own here; `manage.py renew_cache_epoch` gives a restored one a new epoch.
"""

from django.db import migrations

FORWARD = "ALTER TABLE data_version ADD COLUMN epoch uuid NOT NULL DEFAULT gen_random_uuid();"
BACKWARD = "ALTER TABLE data_version DROP COLUMN epoch;"


class Migration(migrations.Migration):
    dependencies = [("agreements", "0009_data_version_decisions_and_returns")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
