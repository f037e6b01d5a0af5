"""Admin for configured WebEx sites and (read-only) replay records."""

from django.contrib import admin
from django.db import models

from replay.models import ReplayRecord, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "base_url", "timeout", "allow_private_network", "is_test_site")
    search_fields = ("name", "slug", "base_url")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "base_url", "xml_url", "partner_id", "timeout", "allow_private_network", "is_test_site")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ReplayRecord)
class ReplayRecordAdmin(admin.ModelAdmin):
    """Records are evidence for tickets: they can be read and deleted, never edited."""

    list_display = ("created_at", "actor", "site_label", "command", "outcome", "http_status", "rs", "exception_id")
    list_filter = ("outcome", "api", "site")
    search_fields = ("command", "rs", "exception_id", "actor", "site_label")
    date_hierarchy = "created_at"
    list_select_related = ("site",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
