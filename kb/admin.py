import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.db.models import F
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from kb.editing import history
from kb.forms import EntryAdminForm
from kb.models import Alias, Cause, Command, Entry, EntryFeedback, Message, Service, Step, Suggestion


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 0


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("position", "text", "kind", "source")


class CauseInline(admin.StackedInline):
    model = Cause
    extra = 0
    fields = ("slug", "position", "api", "title", "meaning", "when_seen", "commands", "services")
    filter_horizontal = ("commands", "services")
    show_change_link = True


class StepInline(admin.TabularInline):
    model = Step
    extra = 1


class EditConflict(Exception):
    """Another editor saved the entry between this form's validation and its save."""


def mark_edited(entry):
    """An entry changed here is kept by load_kb unless --force."""
    Entry.objects.filter(pk=entry.pk).update(locally_edited=True)


class RevisionAdminMixin:
    """Every save here keeps one revision of the entry (with its aliases, causes and steps), with the user and
    the admin's own description of the change as the comment (kb/history.py)."""

    def entry_of(self, obj):
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and self.has_change_permission(request, obj):
                history.ensure_baseline(self.entry_of(obj))
        with reversion.create_revision(manage_manually=True):
            reversion.set_user(request.user)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            reversion.set_comment("Added in the admin")
        history.add(self.entry_of(form.instance))

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(f"Admin: {entry.get_change_message() or 'saved without changes'}")
        return entry


@admin.register(Entry)
class EntryAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "api",
        "category",
        "confidence",
        "status",
        "retired",
        "locally_edited",
        "reviewed_at",
        "updated_at",
    )
    list_filter = ("status", "api", "category", "confidence", "retired", "locally_edited")
    search_fields = ("code", "title", "summary", "aliases__alias")
    readonly_fields = ("locally_edited", "reviewed_at", "reviewed_by", "created_at", "updated_at")
    filter_horizontal = ("related", "counterparts")
    inlines = [AliasInline, MessageInline, CauseInline]
    form = EntryAdminForm

    def entry_of(self, obj):
        return obj

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            link = (
                format_html(
                    ' <a href="{}">See what they changed in the history</a>, or use the <a href="{}">editor page</a>, '
                    "which shows their change beside yours.",
                    reverse("kb:entry-history", args=[obj.code]),
                    reverse("kb:entry-edit", args=[obj.code]),
                )
                if obj
                else ""
            )
            self.message_user(
                request,
                format_html(
                    "{}{}",
                    "Someone else saved this entry at the same moment, so your changes were not saved. "
                    "Here is their version: make your change again.",
                    link,
                ),
                level=messages.ERROR,
            )
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        obj.locally_edited = True
        if change:
            with transaction.atomic():
                # Compare-and-set: only the editor who loaded the current version can save.
                updated = Entry.objects.filter(pk=obj.pk, version=form.cleaned_data["loaded_version"]).update(
                    version=F("version") + 1
                )
                if not updated:
                    raise EditConflict
                obj.version = form.cleaned_data["loaded_version"] + 1
                super().save_model(request, obj, form, change)
        else:
            super().save_model(request, obj, form, change)


@admin.register(Cause)
class CauseAdmin(RevisionAdminMixin, admin.ModelAdmin):
    list_display = ("entry", "slug", "title", "api")
    list_filter = ("api", "entry__category")
    search_fields = ("entry__code", "title", "meaning", "when_seen", "steps__text")
    filter_horizontal = ("commands", "services")
    inlines = [StepInline]

    def entry_of(self, obj):
        return obj.entry

    def save_related(self, request, form, formsets, change):
        mark_edited(form.instance.entry)
        super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Cause.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Deleting causes is a change to their entries: each keeps a revision without them."""
        removed = {}
        for cause in queryset.select_related("entry"):
            history.ensure_baseline(cause.entry)
            removed.setdefault(cause.entry_id, []).append(cause.slug)
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            Entry.objects.filter(pk__in=removed).update(locally_edited=True)
            history.record(
                {pk: f"Admin: deleted cause {', '.join(slugs)}" for pk, slugs in removed.items()}, user=request.user
            )


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "api", "title", "position")


@admin.register(Command)
class CommandAdmin(admin.ModelAdmin):
    list_display = ("__str__", "name", "confidence")
    list_filter = ("service", "confidence")
    search_fields = ("code", "name", "description")


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("query", "origin", "status", "entry", "user", "created_at")
    list_filter = ("status", "origin")
    list_select_related = ("entry", "user")
    raw_id_fields = ("entry",)
    search_fields = ("query", "note")
    readonly_fields = ("created_at",)


@admin.register(EntryFeedback)
class EntryFeedbackAdmin(admin.ModelAdmin):
    """Readers' votes are evidence: they can be read and deleted, never written here."""

    list_display = ("entry", "helpful", "comment", "user", "updated_at")
    list_filter = ("helpful",)
    search_fields = ("entry__code", "comment")
    list_select_related = ("entry", "user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
