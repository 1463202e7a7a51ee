"""The audit trigger on every tracked table, and the guard that keeps both logs insert-only.

`audit_record()` writes one audit row per row inserted, changed or deleted, whatever wrote it
(the ORM, a bulk `QuerySet.update()`, raw SQL): the changed columns before and after, and the
context django-pghistory puts into the statement (person, address, request, task, job).
An UPDATE that changes nothing is not recorded.

`audit_refuse_change()` refuses every UPDATE and DELETE of an audit or access row. The only way
out is the prune command's: it sets `audit.prune` for its transaction, and even then only rows
older than 183 days (six months) can be deleted. TRUNCATE needs the table's owner and is used
only to empty a test database between transactional tests; production runs as a role that does
not own the tables (SECURITY.md).
"""

from django.db import migrations

RECORD = r"""
CREATE FUNCTION audit_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    context jsonb := nullif(current_setting('pghistory.context_metadata', true), '')::jsonb;
    context_id text := nullif(current_setting('pghistory.context_id', true), '');
    excluded text[] := coalesce(string_to_array(nullif(TG_ARGV[2], ''), ','), '{}');
    old_row jsonb;
    new_row jsonb;
    row_data jsonb;
    changed_before jsonb;
    changed_after jsonb;
    refs text[];
    pair text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_row := to_jsonb(OLD) - excluded;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_row := to_jsonb(NEW) - excluded;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(key, value) INTO changed_after
            FROM jsonb_each(new_row) WHERE old_row -> key IS DISTINCT FROM value;
        IF changed_after IS NULL THEN
            RETURN NULL;
        END IF;
        SELECT jsonb_object_agg(key, old_row -> key) INTO changed_before
            FROM jsonb_each(changed_after);
    ELSE
        changed_before := old_row;
        changed_after := new_row;
    END IF;
    row_data := coalesce(new_row, old_row);
    refs := ARRAY[TG_ARGV[0] || ':' || (row_data ->> 'id')];
    IF TG_ARGV[1] <> '' THEN
        FOREACH pair IN ARRAY string_to_array(TG_ARGV[1], ',') LOOP
            IF row_data ->> split_part(pair, '=', 1) IS NOT NULL THEN
                refs := refs || (split_part(pair, '=', 2) || ':'
                                 || (row_data ->> split_part(pair, '=', 1)));
            END IF;
        END LOOP;
    END IF;
    INSERT INTO audit_auditevent (
        at, action, model, object_id, refs, before, after, actor_id, ip, request_id, method,
        path, task, job_id, transaction_id
    ) VALUES (
        now(), lower(TG_OP), TG_ARGV[0], row_data ->> 'id', refs, changed_before, changed_after,
        (context ->> 'user')::bigint, (context ->> 'ip')::inet, context_id::uuid,
        coalesce(context ->> 'method', ''), left(coalesce(context ->> 'url', ''), 500),
        left(coalesce(context ->> 'task', ''), 100), (context ->> 'job')::bigint,
        txid_current()
    );
    RETURN NULL;
END
$$;
"""

GUARD = r"""
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('audit.prune', true) = 'on'
            AND OLD.at < now() - interval '183 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% of a row in % is not allowed: the log accepts inserts only',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_insert_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_insert_only BEFORE UPDATE OR DELETE ON audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

UNDO_GUARD = """
DROP TRIGGER audit_insert_only ON audit_auditevent;
DROP TRIGGER audit_insert_only ON audit_accessevent;
DROP FUNCTION audit_refuse_change();
"""

# The tables of this migration's day (randers/audit/tracked.py then), frozen here.
TRIGGERS = """
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_user" FOR EACH ROW EXECUTE FUNCTION audit_record('units.user', '', 'password,last_login');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_user_groups" FOR EACH ROW EXECUTE FUNCTION audit_record('units.user_groups', 'user_id=units.user,group_id=auth.group', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_user_user_permissions" FOR EACH ROW EXECUTE FUNCTION audit_record('units.user_user_permissions', 'user_id=units.user', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_council" FOR EACH ROW EXECUTE FUNCTION audit_record('units.council', '', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_councilmembership" FOR EACH ROW EXECUTE FUNCTION audit_record('units.councilmembership', 'council_id=units.council,person_id=units.user', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_committee" FOR EACH ROW EXECUTE FUNCTION audit_record('units.committee', 'council_id=units.council', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_committeemembership" FOR EACH ROW EXECUTE FUNCTION audit_record('units.committeemembership', 'committee_id=units.committee,person_id=units.user', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_area" FOR EACH ROW EXECUTE FUNCTION audit_record('units.area', 'director_id=units.user', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_unit" FOR EACH ROW EXECUTE FUNCTION audit_record('units.unit', 'area_id=units.area,committee_id=units.committee,leader_id=units.user', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_site" FOR EACH ROW EXECUTE FUNCTION audit_record('units.site', 'unit_id=units.unit', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_counciluserobjectpermission" FOR EACH ROW EXECUTE FUNCTION audit_record('units.counciluserobjectpermission', 'user_id=units.user,content_object_id=units.council', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_committeeuserobjectpermission" FOR EACH ROW EXECUTE FUNCTION audit_record('units.committeeuserobjectpermission', 'user_id=units.user,content_object_id=units.committee', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_areauserobjectpermission" FOR EACH ROW EXECUTE FUNCTION audit_record('units.areauserobjectpermission', 'user_id=units.user,content_object_id=units.area', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "units_unituserobjectpermission" FOR EACH ROW EXECUTE FUNCTION audit_record('units.unituserobjectpermission', 'user_id=units.user,content_object_id=units.unit', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "guardian_userobjectpermission" FOR EACH ROW EXECUTE FUNCTION audit_record('guardian.userobjectpermission', 'user_id=units.user', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "guardian_groupobjectpermission" FOR EACH ROW EXECUTE FUNCTION audit_record('guardian.groupobjectpermission', 'group_id=auth.group', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "auth_group" FOR EACH ROW EXECUTE FUNCTION audit_record('auth.group', '', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "auth_group_permissions" FOR EACH ROW EXECUTE FUNCTION audit_record('auth.group_permissions', 'group_id=auth.group', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_councilgoal" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.councilgoal', 'committee_id=units.committee', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_commongoal" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.commongoal', 'area_id=units.area', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_commongoal_council_goals" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.commongoal_council_goals', 'commongoal_id=goals.commongoal', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_commongoal_indicators" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.commongoal_indicators', 'commongoal_id=goals.commongoal', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_goal" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.goal', 'agreement_id=agreements.agreement', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_goal_council_goals" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.goal_council_goals', 'goal_id=goals.goal', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_indicatordefinition" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.indicatordefinition', '', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_indicator" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.indicator', 'goal_id=goals.goal', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_measurement" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.measurement', 'indicator_id=goals.indicator,unit_id=units.unit', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_followupreport" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.followupreport', 'agreement_id=agreements.agreement', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "goals_goalfollowup" FOR EACH ROW EXECUTE FUNCTION audit_record('goals.goalfollowup', 'report_id=goals.followupreport,goal_id=goals.goal', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_period" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.period', '', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_followuppoint" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.followuppoint', 'period_id=agreements.period', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_templatesection" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.templatesection', 'period_id=agreements.period', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_agreement" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.agreement', 'unit_id=units.unit,period_id=agreements.period', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_agreementsection" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.agreementsection', 'agreement_id=agreements.agreement', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_consultation" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.consultation', 'agreement_id=agreements.agreement', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_agreementversion" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.agreementversion', 'agreement_id=agreements.agreement', 'content_text');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_signature" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.signature', 'version_id=agreements.agreementversion,signer_id=units.user', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_comment" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.comment', 'agreement_id=agreements.agreement', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_dialoguemeeting" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.dialoguemeeting', 'committee_id=units.committee', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "agreements_meetingitem" FOR EACH ROW EXECUTE FUNCTION audit_record('agreements.meetingitem', 'meeting_id=agreements.dialoguemeeting,agreement_id=agreements.agreement', '');
"""
UNDO_TRIGGERS = "\n".join(
    f'DROP TRIGGER audit_record ON "{table}";'
    for table in ['units_user', 'units_user_groups', 'units_user_user_permissions', 'units_council', 'units_councilmembership', 'units_committee', 'units_committeemembership', 'units_area', 'units_unit', 'units_site', 'units_counciluserobjectpermission', 'units_committeeuserobjectpermission', 'units_areauserobjectpermission', 'units_unituserobjectpermission', 'guardian_userobjectpermission', 'guardian_groupobjectpermission', 'auth_group', 'auth_group_permissions', 'goals_councilgoal', 'goals_commongoal', 'goals_commongoal_council_goals', 'goals_commongoal_indicators', 'goals_goal', 'goals_goal_council_goals', 'goals_indicatordefinition', 'goals_indicator', 'goals_measurement', 'goals_followupreport', 'goals_goalfollowup', 'agreements_period', 'agreements_followuppoint', 'agreements_templatesection', 'agreements_agreement', 'agreements_agreementsection', 'agreements_consultation', 'agreements_agreementversion', 'agreements_signature', 'agreements_comment', 'agreements_dialoguemeeting', 'agreements_meetingitem']
)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_audit_and_access_log"),
        ("units", "0002_organisation_changes_and_unique_email"),
        ("goals", "0002_indicator_library_measurements_follow_up"),
        ("agreements", "0004_stored_pdfs_and_books"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(RECORD, "DROP FUNCTION audit_record();"),
        migrations.RunSQL(GUARD, UNDO_GUARD),
        migrations.RunSQL(TRIGGERS, UNDO_TRIGGERS),
    ]
