"""A database guard: frozen agreement versions and signatures can be neither updated nor deleted,
not even by a direct SQL UPDATE or DELETE. (TRUNCATE, used only to empty a test database, is not
row-level and is not covered.)"""

from django.db import migrations

TABLES = ["agreements_agreementversion", "agreements_signature"]

FORWARD = """
CREATE OR REPLACE FUNCTION agreements_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% of a frozen row in % is not allowed: signed content never changes',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_frozen
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION agreements_refuse_change();
"""
    for table in TABLES
)

BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table};" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS agreements_refuse_change();"
)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
