from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from core.roles import ensure_roles

        # After every app's migrations, so every permission exists; idempotent.
        post_migrate.connect(ensure_roles, dispatch_uid="core-ensure-roles")
