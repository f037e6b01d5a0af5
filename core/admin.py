"""Users and groups in the admin, without a way up: only a superuser can make anyone a superuser or staff, edit a
superuser or a staff account, change another user's password, grant permissions one by one, or give a group that
carries user or group permissions (the "Admins" role). The "Admins" role manages ordinary users: adds them, edits
their names, e-mail and active flag, and puts them in the groups that grant no such rights (Help desk, KB editors).

Groups themselves are read-only below superuser: editing one could add any permission to it.
Tested, one escalation at a time, by core/tests/test_admin_escalation.py.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied

ESCALATING_APPS = ("auth",)  # a group with any of these apps' permissions lets its members manage users or groups


def grantable_groups(request):
    """The groups the person in ``request`` may give or take away."""
    if request.user.is_superuser:
        return Group.objects.all()
    return Group.objects.exclude(permissions__content_type__app_label__in=ESCALATING_APPS).distinct()


def _protected(user):
    return user.is_superuser or user.is_staff


class GuardedUserAdmin(UserAdmin):
    ORDINARY_FIELDSETS = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("is_active", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.ORDINARY_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["last_login", "date_joined"]
            if obj is not None and obj.pk == request.user.pk:
                readonly += ["groups", "is_active"]  # nobody below superuser changes their own access
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = grantable_groups(request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def may_manage(self, request, obj):
        """Below superuser: ordinary users, and one's own account (safe fields only)."""
        if request.user.is_superuser or obj is None:
            return True
        return obj.pk == request.user.pk or not _protected(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj) and self.may_manage(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)  # a bulk delete checks no object: it could take a superuser
        return actions

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            if change:
                stored = User.objects.get(pk=obj.pk)
                obj.is_superuser, obj.is_staff = stored.is_superuser, stored.is_staff
            else:
                obj.is_superuser = obj.is_staff = False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """Groups below one's reach stay as they were: a member of "Admins" stays one unless a superuser says."""
        kept = []
        if change and not request.user.is_superuser:
            grantable = grantable_groups(request)
            kept = list(form.instance.groups.exclude(pk__in=grantable.values("pk")))
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.groups.add(*kept)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser and str(id) != str(request.user.pk):
            raise PermissionDenied("Only a superuser can change another user's password.")
        return super().user_change_password(request, id, form_url)


class GuardedGroupAdmin(GroupAdmin):
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.unregister(User)
admin.site.register(User, GuardedUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, GuardedGroupAdmin)
