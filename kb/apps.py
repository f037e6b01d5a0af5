from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from kb import checks, history, signals  # noqa: F401 - checks registers the stored-code check
        from kb.roles import ensure_roles

        signals.connect()
        history.register_models()
        # After every app's migrations, so every permission exists; idempotent.
        post_migrate.connect(ensure_roles, dispatch_uid="kb-ensure-roles")
