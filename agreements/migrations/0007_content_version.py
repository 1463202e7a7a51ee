"""The version of each agreement's content, that the pages read the content from the cache by
(`agreements.selectors.page_content`).

`agreement_content_version` holds one number per agreement that changes, in the same transaction,
with every statement that adds, changes or removes what the content is built from besides the
agreement's own row and the unit and period the page reads with it: its sections, its goals, their
indicators and council goals, the titles and order of those council goals, the titles of common
goals, and its consultations (whatever makes the change: the services, the admin, bulk updates,
raw SQL). The numbers come from the data version's sequence, so they never repeat. An agreement is
given its number when it is created; a missing row means "do not cache".

Statement triggers with transition tables: a bulk insert of a thousand sections changes each
agreement's number once, not once a row.
"""

from django.db import migrations

BUMP = """
CREATE FUNCTION agreement_content_bump(agreements bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO agreement_content_version (agreement_id, number)
    SELECT id, nextval('data_version_seq')
      FROM (SELECT DISTINCT id FROM unnest(agreements) AS id WHERE id IS NOT NULL ORDER BY id) ids
    ON CONFLICT (agreement_id) DO UPDATE SET number = EXCLUDED.number;
$$;
"""

# (function, the agreements of the changed rows, read from a transition table named `rows`)
BY = {
    "agreement_content_by_agreement": "SELECT array_agg(agreement_id) FROM {rows}",
    "agreement_content_by_goal": """
        SELECT array_agg(g.agreement_id) FROM goals_goal g WHERE g.id IN (SELECT goal_id FROM {rows})
    """,
    "agreement_content_by_self": "SELECT array_agg(id) FROM {rows}",
}


def _function(name: str, select: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM agreement_content_bump(({select.format(rows="new_rows")}));
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM agreement_content_bump(({select.format(rows="old_rows")}));
    END IF;
    RETURN NULL;
END;
$$;
"""


# A council goal's title or order, or a common goal's title, changes the content of every
# agreement with a goal that serves it.
RENAMED = """
CREATE FUNCTION agreement_content_council_goal_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM agreement_content_bump((
        SELECT array_agg(g.agreement_id)
          FROM goals_goal g
          JOIN goals_goal_council_goals link ON link.goal_id = g.id
          JOIN old_rows o ON o.id = link.councilgoal_id
          JOIN new_rows n ON n.id = o.id
         WHERE o.title IS DISTINCT FROM n.title OR o."order" IS DISTINCT FROM n."order"
    ));
    RETURN NULL;
END;
$$;
CREATE FUNCTION agreement_content_common_goal_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM agreement_content_bump((
        SELECT array_agg(g.agreement_id)
          FROM goals_goal g
          JOIN old_rows o ON o.id = g.common_goal_id
          JOIN new_rows n ON n.id = o.id
         WHERE o.title IS DISTINCT FROM n.title
    ));
    RETURN NULL;
END;
$$;
"""

# (table, function); the agreement's own row only for its number when it is created
WATCHED = [
    ("agreements_agreementsection", "agreement_content_by_agreement"),
    ("agreements_consultation", "agreement_content_by_agreement"),
    ("goals_goal", "agreement_content_by_agreement"),
    ("goals_indicator", "agreement_content_by_goal"),
    ("goals_goal_council_goals", "agreement_content_by_goal"),
]


def _triggers(table: str, function: str) -> str:
    return f"""
CREATE TRIGGER agreement_content_inserted AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER agreement_content_updated AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER agreement_content_deleted AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""


CREATE = (
    """
CREATE TABLE agreement_content_version (
    agreement_id bigint PRIMARY KEY,
    number bigint NOT NULL
);
INSERT INTO agreement_content_version (agreement_id, number)
    SELECT id, nextval('data_version_seq') FROM agreements_agreement ORDER BY id;
"""
    + BUMP
    + "".join(_function(name, select) for name, select in BY.items())
    + RENAMED
    + "".join(_triggers(table, function) for table, function in WATCHED)
    + """
CREATE TRIGGER agreement_content_inserted AFTER INSERT ON agreements_agreement
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION agreement_content_by_self();
CREATE TRIGGER agreement_content_renamed AFTER UPDATE ON goals_councilgoal
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION agreement_content_council_goal_renamed();
CREATE TRIGGER agreement_content_renamed AFTER UPDATE ON goals_commongoal
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION agreement_content_common_goal_renamed();
"""
)

DROP = (
    "".join(
        f"""
DROP TRIGGER agreement_content_inserted ON {table};
DROP TRIGGER agreement_content_updated ON {table};
DROP TRIGGER agreement_content_deleted ON {table};
"""
        for table, _function_name in WATCHED
    )
    + """
DROP TRIGGER agreement_content_inserted ON agreements_agreement;
DROP TRIGGER agreement_content_renamed ON goals_councilgoal;
DROP TRIGGER agreement_content_renamed ON goals_commongoal;
DROP FUNCTION agreement_content_council_goal_renamed();
DROP FUNCTION agreement_content_common_goal_renamed();
"""
    + "".join(f"DROP FUNCTION {name}();\n" for name in BY)
    + """
DROP FUNCTION agreement_content_bump(bigint[]);
DROP TABLE agreement_content_version;
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0006_search_version"),
        ("goals", "0004_data_version_names_and_slugs"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
