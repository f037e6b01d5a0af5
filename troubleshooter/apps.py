from django.apps import AppConfig


class TroubleshooterConfig(AppConfig):
    name = "troubleshooter"
    verbose_name = "Troubleshooter"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kb.fixtures import register_section
        from troubleshooter import checks  # noqa: F401 - registers the stored-flow check
        from troubleshooter.loading import export_flows, load_flows

        register_section("flows", load=load_flows, export=export_flows)

        from kb.editing.review import register_review_source
        from troubleshooter.review import unsolved_outcomes

        register_review_source("wizard", "unsolved wizard outcome", unsolved_outcomes)

        from kb.insights import register_insights_section
        from troubleshooter.insights import flow_insights

        register_insights_section(
            "flows",
            "troubleshooter/_insights_flows.html",
            flow_insights,
            position=10,
            stylesheet="troubleshooter/wizard.css",
        )

        # Flows are knowledge too: any change moves the KB generation, which drops cached flow graphs everywhere.
        from django.db.models.signals import post_delete, post_save

        from kb.signals import bump
        from troubleshooter.models import Choice, Flow, Node

        for model in (Flow, Node, Choice):
            post_save.connect(bump, sender=model, dispatch_uid=f"troubleshooter-bump-save-{model.__name__}")
            post_delete.connect(bump, sender=model, dispatch_uid=f"troubleshooter-bump-delete-{model.__name__}")
