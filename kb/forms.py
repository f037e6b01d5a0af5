from django import forms

from kb.models import Api, Category, Command, Service


class EntryFilterForm(forms.Form):
    """The filters of /errors/ and /api/errors/. Unknown values are reported, never a 500."""

    api = forms.ChoiceField(required=False, label="API", choices=[("", "Any API"), *Api.choices])
    service = forms.ChoiceField(required=False, label="Service")
    command = forms.ChoiceField(required=False, label="Command")
    category = forms.ChoiceField(required=False, label="Category", choices=[("", "Any category"), *Category.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        services = list(Service.objects.values_list("name", flat=True))
        self.fields["service"].choices = [("", "Any service"), *[(s, s) for s in services]]
        self.fields["command"].choices = [("", "Any command")] + [
            (c.key, f"{c.key} ({c.name})") for c in Command.objects.select_related("service")
        ]

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("api"):
            queryset = queryset.for_api(data["api"])
        if data.get("category"):
            queryset = queryset.filter(category=data["category"])
        if data.get("service"):
            queryset = queryset.for_service(data["service"])
        if data.get("command"):
            queryset = queryset.for_command(Command.objects.get_by_natural_key(data["command"]))
        return queryset

    def error_text(self):
        return "; ".join(f"{self.fields[name].label}: {' '.join(errs)}" for name, errs in self.errors.items())
