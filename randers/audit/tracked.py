"""Which tables the audit trigger records, and why the others are left out.

The triggers themselves are installed by migrations (0002 and any later one that adds a table):
a migration freezes the SQL of its day. tests/randers/audit/test_triggers.py checks that every
model below has its trigger in the database and that every model of the project is either tracked
or left out here with a reason, so a new model cannot be forgotten.

Each entry: the model's label, the foreign-key columns that name what the row belongs to (its
"refs", so that an agreement's history includes its sections), and columns never copied into the
log (password hashes; the large canonical JSON of a version, whose SHA-256 is recorded).
"""

from typing import NamedTuple


class Tracked(NamedTuple):
    table: str
    parents: tuple[tuple[str, str], ...] = ()  # (column, model label)
    exclude: tuple[str, ...] = ()


UNIT, USER, AREA, COMMITTEE, COUNCIL = (
    "units.unit",
    "units.user",
    "units.area",
    "units.committee",
    "units.council",
)
AGREEMENT, PERIOD, GOAL = "agreements.agreement", "agreements.period", "goals.goal"

TRACKED: dict[str, Tracked] = {
    # The organisation and people's roles
    USER: Tracked("units_user", exclude=("password", "last_login")),
    "units.user_groups": Tracked(
        "units_user_groups", (("user_id", USER), ("group_id", "auth.group"))
    ),
    "units.user_user_permissions": Tracked("units_user_user_permissions", (("user_id", USER),)),
    COUNCIL: Tracked("units_council"),
    "units.councilmembership": Tracked(
        "units_councilmembership", (("council_id", COUNCIL), ("person_id", USER))
    ),
    COMMITTEE: Tracked("units_committee", (("council_id", COUNCIL),)),
    "units.committeemembership": Tracked(
        "units_committeemembership", (("committee_id", COMMITTEE), ("person_id", USER))
    ),
    AREA: Tracked("units_area", (("director_id", USER),)),
    UNIT: Tracked(
        "units_unit", (("area_id", AREA), ("committee_id", COMMITTEE), ("leader_id", USER))
    ),
    "units.site": Tracked("units_site", (("unit_id", UNIT),)),
    # Object permissions: guardian's direct foreign-key tables, its generic tables, groups
    "units.counciluserobjectpermission": Tracked(
        "units_counciluserobjectpermission", (("user_id", USER), ("content_object_id", COUNCIL))
    ),
    "units.committeeuserobjectpermission": Tracked(
        "units_committeeuserobjectpermission",
        (("user_id", USER), ("content_object_id", COMMITTEE)),
    ),
    "units.areauserobjectpermission": Tracked(
        "units_areauserobjectpermission", (("user_id", USER), ("content_object_id", AREA))
    ),
    "units.unituserobjectpermission": Tracked(
        "units_unituserobjectpermission", (("user_id", USER), ("content_object_id", UNIT))
    ),
    "guardian.userobjectpermission": Tracked("guardian_userobjectpermission", (("user_id", USER),)),
    "guardian.groupobjectpermission": Tracked(
        "guardian_groupobjectpermission", (("group_id", "auth.group"),)
    ),
    "auth.group": Tracked("auth_group"),
    "auth.group_permissions": Tracked("auth_group_permissions", (("group_id", "auth.group"),)),
    # Goals, indicators, measurements and follow-up
    "goals.councilgoal": Tracked("goals_councilgoal", (("committee_id", COMMITTEE),)),
    "goals.commongoal": Tracked("goals_commongoal", (("area_id", AREA),)),
    "goals.commongoal_council_goals": Tracked(
        "goals_commongoal_council_goals", (("commongoal_id", "goals.commongoal"),)
    ),
    "goals.commongoal_indicators": Tracked(
        "goals_commongoal_indicators", (("commongoal_id", "goals.commongoal"),)
    ),
    GOAL: Tracked("goals_goal", (("agreement_id", AGREEMENT),)),
    "goals.goal_council_goals": Tracked("goals_goal_council_goals", (("goal_id", GOAL),)),
    "goals.indicatordefinition": Tracked("goals_indicatordefinition"),
    "goals.indicator": Tracked("goals_indicator", (("goal_id", GOAL),)),
    "goals.measurement": Tracked(
        "goals_measurement", (("indicator_id", "goals.indicator"), ("unit_id", UNIT))
    ),
    "goals.followupreport": Tracked("goals_followupreport", (("agreement_id", AGREEMENT),)),
    "goals.goalfollowup": Tracked(
        "goals_goalfollowup", (("report_id", "goals.followupreport"), ("goal_id", GOAL))
    ),
    # Agreements and their life
    PERIOD: Tracked("agreements_period"),
    "agreements.followuppoint": Tracked("agreements_followuppoint", (("period_id", PERIOD),)),
    "agreements.templatesection": Tracked("agreements_templatesection", (("period_id", PERIOD),)),
    AGREEMENT: Tracked("agreements_agreement", (("unit_id", UNIT), ("period_id", PERIOD))),
    "agreements.agreementsection": Tracked(
        "agreements_agreementsection", (("agreement_id", AGREEMENT),)
    ),
    "agreements.consultation": Tracked("agreements_consultation", (("agreement_id", AGREEMENT),)),
    "agreements.agreementversion": Tracked(
        "agreements_agreementversion", (("agreement_id", AGREEMENT),), exclude=("content_text",)
    ),
    "agreements.signature": Tracked(
        "agreements_signature",
        (("version_id", "agreements.agreementversion"), ("signer_id", USER)),
    ),
    "agreements.comment": Tracked("agreements_comment", (("agreement_id", AGREEMENT),)),
    "agreements.dialoguemeeting": Tracked(
        "agreements_dialoguemeeting", (("committee_id", COMMITTEE),)
    ),
    "agreements.meetingitem": Tracked(
        "agreements_meetingitem",
        (("meeting_id", "agreements.dialoguemeeting"), ("agreement_id", AGREEMENT)),
    ),
    # Logging in: the switch for local accounts, and who has an authenticator app
    "accounts.loginsettings": Tracked("accounts_loginsettings", (("changed_by_id", USER),)),
    "accounts.totpdevice": Tracked(
        "accounts_totpdevice", (("user_id", USER),), exclude=("secret", "last_used_step")
    ),
}

NOT_TRACKED: dict[str, str] = {
    "units.organisationchange": "itself a record of role changes, insert-only",
    "agreements.statechange": "itself a record of state changes, written with the change",
    "agreements.edit": "itself a record of content edits, written with the edit",
    "agreements.searchdocument": "derived from the agreement by the services",
    "agreements.agreementpdf": "a rendering of content that is recorded (bytes)",
    "agreements.agreementbook": "a rendering of content that is recorded (bytes)",
    "jobs.job": "work in progress; its changes are the job page's business",
    "jobs.jobstep": "work in progress",
    "audit.auditevent": "the log itself",
    "audit.accessevent": "the log itself",
    "auth.permission": "Django's catalogue of permissions, written by migrations",
    "accounts.loginevent": "itself the log of logins, insert-only",
    "notifications.notification": "messages about changes that are recorded themselves",
    "notifications.sentreminder": "itself a record of the reminders sent",
    "notifications.preference": "a person's own choice of reminders, no one else's data",
}


def trigger_sql(label: str, spec: Tracked) -> str:
    """CREATE TRIGGER for one table. The arguments: the model label, the refs as
    "column=label" pairs, and the excluded columns."""
    parents = ",".join(f"{column}={parent}" for column, parent in spec.parents)
    exclude = ",".join(spec.exclude)
    return (
        f'CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "{spec.table}" '
        f"FOR EACH ROW EXECUTE FUNCTION audit_record('{label}', '{parents}', '{exclude}');"
    )
