from django.apps import AppConfig


class ReplayConfig(AppConfig):
    name = "replay"
    verbose_name = "Replay"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The wizard's ticket summary and an entry's ticket text name the replays a person made (kb.evidence).
        from kb.evidence import register_evidence_source
        from replay.evidence import from_steps, last_for_code

        register_evidence_source("replay", from_steps=from_steps, last_for_code=last_for_code)
