from django.db import models


class Task(models.Model):
    assigned_department_id = models.IntegerField()
    status = models.CharField(max_length=20)
    task_type = models.CharField(max_length=20)
    customer_id = models.IntegerField()
    decided_date = models.DateField(null=True)
    outcome = models.CharField(max_length=20, null=True)
    note = models.TextField(default="")

    class Meta:
        indexes = [
            # composite, equality columns first
            models.Index(fields=["assigned_department_id", "status", "task_type"],
                         name="shop_task_dept_status_idx"),
            # covering, for index-only scans
            models.Index(fields=["customer_id", "-decided_date"], include=["outcome"],
                         name="shop_task_cust_decided_idx"),
        ]
