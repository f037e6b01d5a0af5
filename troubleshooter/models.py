"""Troubleshooting flows (data, not code) and what people did with them.

A flow is a small graph: question nodes with choices (each choice phrased as a symptom the person can
see, leading to another node) and outcome nodes (a diagnosis, an escalation or a replay). Flows have natural
keys (flow slug; node: flow slug + node slug) so fixtures carry no primary keys.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from kb.models import Cause, Command, Entry


class FlowQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def published(self):
        return self.filter(published=True)


class Flow(models.Model):
    """One thing a person was trying to do ("Log in"), and the questions that lead from it to a diagnosis."""

    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=120, help_text='Answers "What were you trying to do?", e.g. "Log a host in"')
    description = models.CharField(max_length=300, blank=True, help_text="One line shown under the title")
    position = models.PositiveSmallIntegerField(default=0)
    start = models.ForeignKey(
        "Node", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The first question"
    )
    published = models.BooleanField(
        default=True,
        help_text="Only published flows are offered, and they must be valid to be saved. "
        "Untick to edit a flow in several steps; tick again to publish (it is checked then).",
    )
    locally_edited = models.BooleanField(
        default=False, help_text="Changed in the admin: load_kb leaves it alone unless --force"
    )
    fixture_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FlowQuerySet.as_manager()

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("troubleshooter:wizard-step", args=[self.slug])


class NodeKind(models.TextChoices):
    QUESTION = "question", "Question"
    DIAGNOSE = "diagnose", "Outcome: diagnosis"
    ESCALATE = "escalate", "Outcome: escalate to WebEx API Developer Support"
    REPLAY = "replay", "Outcome: replay a command"


OUTCOME_KINDS = (NodeKind.DIAGNOSE, NodeKind.ESCALATE, NodeKind.REPLAY)


class NodeQuerySet(models.QuerySet):
    def get_by_natural_key(self, flow_slug, slug):
        return self.get(flow__slug=flow_slug, slug=slug)


class Node(models.Model):
    """A question (with choices) or an outcome (a KB entry and cause, plus guidance)."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="nodes")
    slug = models.SlugField(max_length=60, help_text="Appears in step URLs: keep it short and stable")
    kind = models.CharField(max_length=10, choices=NodeKind.choices, default=NodeKind.QUESTION)
    text = models.CharField(max_length=300, help_text="The question, or the outcome's heading")
    help = models.TextField(blank=True, help_text="Questions: how to find the answer (the test to run)")
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.SET_NULL, related_name="flow_nodes")
    cause = models.ForeignKey(Cause, null=True, blank=True, on_delete=models.SET_NULL, related_name="flow_nodes")
    guidance = models.TextField(blank=True, help_text="Outcomes: what to do, on top of the cause's steps")
    condition = models.ForeignKey(
        "kb.Condition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_nodes",
        help_text="Diagnoses: a condition of the site, the account or the API (instead of, or beside, an entry)",
    )
    command = models.ForeignKey(
        Command,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_nodes",
        help_text="Replay outcomes: the command to retry. Questions: the test command to send (optional).",
    )
    params = models.JSONField(
        default=dict, blank=True, help_text='Prefilled parameters for the command, e.g. {"DU": "20"}; never secrets'
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = NodeQuerySet.as_manager()

    class Meta:
        ordering = ["flow", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["flow", "slug"], name="troubleshooter_node_flow_slug_uniq")]

    def __str__(self):
        return f"{self.flow.slug}/{self.slug}"

    def natural_key(self):
        return (self.flow.slug, self.slug)

    natural_key.dependencies = ["troubleshooter.flow"]

    @property
    def is_question(self):
        return self.kind == NodeKind.QUESTION

    @property
    def is_outcome(self):
        return self.kind in OUTCOME_KINDS


class Choice(models.Model):
    """One answer to a question, phrased as a symptom the person can see, leading to the next node."""

    question = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="choices")
    slug = models.SlugField(max_length=60, help_text="Appears in step URLs: keep it short and stable")
    label = models.CharField(max_length=300, help_text='A symptom the person can see: "I was sent back with RS=…"')
    target = models.ForeignKey(
        Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="incoming", help_text="The next node"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "slug"], name="troubleshooter_choice_question_slug_uniq")
        ]

    def __str__(self):
        return self.label


class WizardEvent(models.Model):
    """What people did with a flow: started it, reached an outcome, said whether it solved the problem."""

    class Kind(models.TextChoices):
        STARTED = "started", "Started"
        FINISHED = "finished", "Finished"
        FEEDBACK = "feedback", "Feedback"

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    outcome = models.ForeignKey(Node, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    outcome_slug = models.SlugField(max_length=60, blank=True, help_text="Kept if the node is later deleted")
    path = models.JSONField(default=list, blank=True, help_text="[[node slug, choice slug], …] in the order asked")
    resolved = models.BooleanField(null=True, blank=True, help_text="Feedback: did this solve it?")
    comment = models.TextField(blank=True, max_length=2000)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["flow", "kind"], name="troubleshooter_event_kind_idx")]

    def __str__(self):
        return f"{self.flow.slug}: {self.kind}"
