from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kb import checks, history, signals  # noqa: F401 - checks registers the stored-code check

        signals.connect()
        history.register_models()
