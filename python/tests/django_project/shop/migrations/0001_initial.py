from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Task",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("assigned_department_id", models.IntegerField()),
                ("status", models.CharField(max_length=20)),
                ("task_type", models.CharField(max_length=20)),
                ("customer_id", models.IntegerField()),
                ("decided_date", models.DateField(null=True)),
                ("outcome", models.CharField(max_length=20, null=True)),
                ("note", models.TextField(default="")),
            ],
        ),
    ]
