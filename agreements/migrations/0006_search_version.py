"""The version of the search documents that the search page's cached hits are read from
(`randers.versions`, `agreements.views.search`).

`search_version` holds one number that changes, in the same transaction, with every statement
that adds, changes or removes search documents (the services' reindexing, the admin, bulk updates,
raw SQL). It takes its numbers from the data version's sequence, so they never repeat. Kept apart
from `data_version`: every saved section reindexes its agreement, and that must not throw away the
cached counts.
"""

from django.db import migrations

CREATE = """
CREATE TABLE search_version (number bigint NOT NULL);
INSERT INTO search_version VALUES (nextval('data_version_seq'));
CREATE FUNCTION search_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_version SET number = nextval('data_version_seq');
    RETURN NULL;
END;
$$;
CREATE TRIGGER search_version_rows
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agreements_searchdocument
    FOR EACH STATEMENT EXECUTE FUNCTION search_version_bump();
"""

DROP = """
DROP TRIGGER search_version_rows ON agreements_searchdocument;
DROP FUNCTION search_version_bump();
DROP TABLE search_version;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0005_period_lock_after_days"),
        ("goals", "0003_data_version"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
