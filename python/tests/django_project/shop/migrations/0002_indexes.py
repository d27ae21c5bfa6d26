from django.db import migrations, models

from index_advisor.django import ApplyIndex, WaitForIndexes


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        ApplyIndex("task", models.Index(fields=["assigned_department_id", "status", "task_type"],
                                        name="shop_task_dept_status_idx"),
                   queries=["SELECT * FROM shop_task WHERE assigned_department_id = 3 AND status = 'open'"]),
        ApplyIndex("task", models.Index(fields=["customer_id", "-decided_date"], include=["outcome"],
                                        name="shop_task_cust_decided_idx")),
        WaitForIndexes(),
    ]
