from django.apps import AppConfig


class TroubleshooterConfig(AppConfig):
    name = "troubleshooter"
    verbose_name = "Troubleshooter"
    default_auto_field = "django.db.models.BigAutoField"
