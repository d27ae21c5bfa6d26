from django.db import models


class Route(models.Model):
    customer_id = models.IntegerField()
    routing_priority = models.IntegerField()
    enabled = models.BooleanField(default=True)

    class Meta:
        indexes = [
            # partial
            models.Index(fields=["customer_id", "-routing_priority"],
                         condition=models.Q(enabled=True),
                         name="crm_route_enabled_idx"),
        ]
