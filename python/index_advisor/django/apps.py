from django.apps import AppConfig


class IndexAdvisorConfig(AppConfig):
    """Only for the idx_wait management command; it has no models."""

    name = "index_advisor.django"
    label = "index_advisor"
    verbose_name = "index_advisor"
