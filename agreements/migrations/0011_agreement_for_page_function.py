"""`agreement_for_page(uuid)`: the agreement with its unit, the unit's area, committee and leader,
its period and its signed version, as whole rows of their tables, beside the version of its
content and the data's version: what `agreements.selectors.agreement_for_page` reads for every
page of one agreement.

Written as PL/pgSQL because PL/pgSQL keeps the plan of its query for the connection's life: the
seven-table join took about 1 ms to parse and plan each time and runs in 0.1 ms. The rows are
returned as their tables' row types, so the function follows the tables when a migration adds
or drops a column.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION agreement_for_page(agreement_uuid uuid)
RETURNS TABLE (
  agreement agreements_agreement,
  unit units_unit,
  area units_area,
  committee units_committee,
  leader units_user,
  period agreements_period,
  signed_version agreements_agreementversion,
  content_number text,
  data_version_read text
)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT a, u, ar, c, l, p, v,
         (SELECT d.epoch || '.' || cv.number FROM agreement_content_version cv
           WHERE cv.agreement_id = a.id),
         d.epoch || '.' || d.number
    FROM agreements_agreement a
    JOIN units_unit u ON u.id = a.unit_id
    JOIN units_area ar ON ar.id = u.area_id
    JOIN units_committee c ON c.id = u.committee_id
    LEFT JOIN units_user l ON l.id = u.leader_id
    JOIN agreements_period p ON p.id = a.period_id
    LEFT JOIN agreements_agreementversion v ON v.id = a.signed_version_id
   CROSS JOIN data_version d
   WHERE a.uuid = agreement_uuid;
END
$$;
"""
BACKWARD = "DROP FUNCTION agreement_for_page(uuid);"


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0010_data_version_epoch"),
        ("units", "0005_user_grants_function"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
