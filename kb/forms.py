from django import forms
from django.db.models import Q

from kb.limits import control_character_problem
from kb.models import Api, Category, Command, Entry, Service


class EntryFilterForm(forms.Form):
    """The filters of /errors/ and /api/errors/. Unknown values are reported, never a 500."""

    q = forms.CharField(
        required=False,
        max_length=100,
        label="Code or title contains",
        widget=forms.SearchInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    api = forms.ChoiceField(required=False, label="API", choices=[("", "Any API"), *Api.choices])
    service = forms.ChoiceField(required=False, label="Service")
    command = forms.ChoiceField(required=False, label="Command")
    category = forms.ChoiceField(required=False, label="Category", choices=[("", "Any category"), *Category.choices])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        services = list(Service.objects.values_list("name", flat=True))
        self.fields["service"].choices = [("", "Any service"), *[(s, s) for s in services]]
        self.fields["command"].choices = [("", "Any command")] + [
            (c.key, f"{c.key} ({c.name})") for c in Command.objects.select_related("service")
        ]

    def filter(self, queryset):
        data = self.cleaned_data
        text = (data.get("q") or "").replace("\x00", "").strip()
        if text:
            queryset = queryset.filter(Q(code__icontains=text) | Q(title__icontains=text))
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


class EntryTextFormMixin:
    """Entry text typed in the admin holds no control character (tab and newline aside), as load_kb and the editor
    refuse them (kb/limits.py)."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            problem = control_character_problem(value)
            if problem:
                self.add_error(name, f"{self.fields[name].label} {problem}")
        return cleaned


class EntryPartForm(EntryTextFormMixin, forms.ModelForm):
    """The admin's inline forms of an entry: aliases, messages, causes, steps."""


class EntryAdminForm(EntryTextFormMixin, forms.ModelForm):
    """Refuses to save over a newer version: the second of two editors gets a conflict, not a silent overwrite."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Entry
        fields = ["code", "title", "summary", "api", "category", "source", "confidence", "retired", "related"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = Entry.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            loaded = cleaned.get("loaded_version")
            if loaded is None or stored != loaded:
                raise forms.ValidationError(
                    "Someone else saved this entry after you opened it, so your changes were not saved. "
                    "Open the entry again to see their version, then make your change there.",
                    code="conflict",
                )
        return cleaned
