"""Admin for flows. Saving a published flow checks the whole flow after the change; a change that would leave it
invalid is rolled back and the form comes back with the problems, each naming its node, and nothing stored."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import router, transaction

from troubleshooter.flows import FlowGraph
from troubleshooter.models import Choice, Flow, Node, WizardEvent


class FlowRefused(Exception):
    def __init__(self, flow, problems):
        super().__init__(flow.slug)
        self.flow, self.problems = flow, problems


class ValidatesFlowMixin:
    """Save, check the flow, and roll back with the problems shown on the form if it is published and invalid.

    Pass 1 saves inside a transaction and checks the stored result (so every inline counts); when the flow is
    refused the transaction rolls back and pass 2 redisplays the submitted form, unsaved, with the problems.
    """

    def flow_of(self, obj):
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changeform_view(request, object_id, form_url, extra_context)
        except FlowRefused as refused:
            request._flow_refused = refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refused = getattr(request, "_flow_refused", None)
        if refused is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                raise ValidationError(
                    [f"Not saved: flow '{refused.flow.slug}' is published and this change would make it invalid."]
                    + [str(p) for p in refused.problems]
                    + ["Fix the problems, or untick Published on the flow to edit it in several steps."]
                )
                return cleaned  # pragma: no cover

        return RefusedForm

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        flow = Flow.objects.get(pk=self.flow_of(form.instance).pk)
        problems = FlowGraph(flow).problems()
        if problems and flow.published:
            raise FlowRefused(flow, problems)
        Flow.objects.filter(pk=flow.pk).update(locally_edited=True)
        if problems:
            messages.warning(
                request,
                f"Draft flow '{flow.slug}' saved; it is not valid yet: " + "; ".join(str(p) for p in problems),
            )


class NodeInline(admin.StackedInline):
    model = Node
    extra = 0
    fields = (
        ("slug", "kind", "position"),
        "text",
        "help",
        ("entry", "cause"),
        "guidance",
        "condition",
        ("command", "params"),
    )
    autocomplete_fields = ("entry", "cause", "command")
    show_change_link = True
    fk_name = "flow"


class FlowForm(forms.ModelForm):
    class Meta:
        model = Flow
        fields = ("slug", "title", "description", "position", "published", "start")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        nodes = Node.objects.filter(flow=self.instance) if self.instance.pk else Node.objects.none()
        self.fields["start"].queryset = nodes.filter(kind="question")
        self.fields["start"].help_text = "The first question (after 'What were you trying to do?'). Save nodes first."


@admin.register(Flow)
class FlowAdmin(ValidatesFlowMixin, admin.ModelAdmin):
    form = FlowForm
    list_display = ("title", "slug", "position", "published", "locally_edited", "updated_at")
    list_filter = ("published", "locally_edited")
    search_fields = ("slug", "title", "description")
    readonly_fields = ("locally_edited", "created_at", "updated_at")
    inlines = [NodeInline]

    def flow_of(self, obj):
        return obj


class ChoiceInline(admin.TabularInline):
    model = Choice
    fk_name = "question"
    extra = 1
    fields = ("slug", "label", "target", "position")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target":
            node = getattr(request, "_admin_node", None)
            kwargs["queryset"] = Node.objects.filter(flow=node.flow) if node else Node.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Node)
class NodeAdmin(ValidatesFlowMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "text", "entry", "cause")
    list_filter = ("flow", "kind")
    search_fields = ("slug", "text", "flow__slug", "entry__code")
    autocomplete_fields = ("entry", "cause", "command")
    fields = (
        "flow",
        "slug",
        "kind",
        "position",
        "text",
        "help",
        "entry",
        "cause",
        "guidance",
        "condition",
        "command",
        "params",
    )
    inlines = [ChoiceInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._admin_node = obj
        return super().get_form(request, obj, change=change, **kwargs)

    def flow_of(self, obj):
        return obj.flow


@admin.register(WizardEvent)
class WizardEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "flow", "kind", "outcome_slug", "resolved")
    list_filter = ("kind", "resolved", "flow")
    search_fields = ("comment", "outcome_slug")
    readonly_fields = ("flow", "kind", "outcome", "outcome_slug", "path", "resolved", "comment", "user", "created_at")

    def has_add_permission(self, request):
        return False
