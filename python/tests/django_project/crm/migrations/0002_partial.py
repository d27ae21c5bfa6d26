from django.db import migrations, models

from index_advisor.django import ApplyIndex, WaitForIndexes


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [
        ApplyIndex("route", models.Index(fields=["customer_id", "-routing_priority"],
                                         condition=models.Q(enabled=True),
                                         name="crm_route_enabled_idx")),
        WaitForIndexes(),
    ]
