from django.contrib import admin, messages
from django.db import transaction
from django.db.models import F
from django.http import HttpResponseRedirect

from kb import admin_users  # noqa: F401 - users and groups without a way up
from kb.forms import EntryAdminForm
from kb.models import Alias, Cause, Command, Entry, EntryFeedback, Service, Step, Suggestion


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 0


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


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "api", "category", "confidence", "retired", "locally_edited", "updated_at")
    list_filter = ("api", "category", "confidence", "retired", "locally_edited")
    search_fields = ("code", "title", "summary", "aliases__alias")
    readonly_fields = ("locally_edited", "created_at", "updated_at")
    filter_horizontal = ("related",)
    inlines = [AliasInline, CauseInline]
    form = EntryAdminForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except EditConflict:
            self.message_user(
                request,
                "Someone else saved this entry at the same moment, so your changes were not saved. "
                "Here is their version: make your change again.",
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
class CauseAdmin(admin.ModelAdmin):
    list_display = ("entry", "slug", "title", "api")
    list_filter = ("api", "entry__category")
    search_fields = ("entry__code", "title", "meaning", "when_seen", "steps__text")
    filter_horizontal = ("commands", "services")
    inlines = [StepInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        mark_edited(form.instance.entry)


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
    list_display = ("query", "origin", "user", "created_at")
    list_filter = ("origin",)
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
