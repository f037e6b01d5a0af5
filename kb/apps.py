from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kb import checks, feedback, signals  # noqa: F401 - checks registers the stored-code check
        from kb.editing import history
        from kb.fixtures import register_section
        from kb.fixtures.conditions import export_conditions, load_conditions
        from kb.insights import register_insights_section
        from kb.search import log as search_log

        signals.connect()
        history.register_models()
        # Before the wizard's "flows" (troubleshooter registers later): an outcome may name a condition.
        register_section("conditions", load=load_conditions, export=export_conditions)
        register_insights_section(
            "feedback", "kb/_feedback_insights.html", lambda days: {"feedback": feedback.feedback_insights(days)}, 50
        )
        register_insights_section(
            "search", "kb/_search_insights.html", lambda days: {"insights": search_log.search_insights(days)}, 60
        )
