"""The audit trigger on the login switch and the authenticator apps (without their secrets), and
the audit app's guard on the log of logins, which from now on accepts inserts only (the prune
command deletes what is older than the retention, as for the audit and access logs)."""

from django.db import migrations

FORWARD = """
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "accounts_loginsettings"
    FOR EACH ROW EXECUTE FUNCTION audit_record('accounts.loginsettings', 'changed_by_id=units.user', '');
CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON "accounts_totpdevice"
    FOR EACH ROW EXECUTE FUNCTION audit_record('accounts.totpdevice', 'user_id=units.user', 'secret,last_used_step');
CREATE TRIGGER audit_insert_only BEFORE UPDATE OR DELETE ON "accounts_loginevent"
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

BACKWARD = """
DROP TRIGGER audit_record ON "accounts_loginsettings";
DROP TRIGGER audit_record ON "accounts_totpdevice";
DROP TRIGGER audit_insert_only ON "accounts_loginevent";
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_log_keeps_deleted_people"),
        ("audit", "0002_audit_triggers_and_guard"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
