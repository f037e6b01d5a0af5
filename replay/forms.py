"""The replay form and the history filter."""

from django import forms
from django.http import QueryDict
from django.utils.html import escape

from kb.models import Api, Command
from kb.redaction import redact_text
from replay.models import ReplayRecord, Site
from replay.plan import MIN_SCRUB_LENGTH, ReplayInput

SECRET_FIELDS = ("pw", "npw", "tk", "mpw", "xml_password", "xml_session_ticket", "login_password")
TEXT_FIELDS_WITH_SECRETS = ("command_text", "params", "xml")


def secret_input(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        max_length=500,
        help_text=help_text,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class ReplayForm(forms.Form):
    MODES = [
        ("paste", "Paste the failing command"),
        ("build", "Build it from the knowledge base's commands"),
        ("xml", "XML API request"),
    ]

    site = forms.ModelChoiceField(
        queryset=Site.objects.all(),
        empty_label="Choose a site…",
        help_text="The host always comes from this site.",
    )
    mode = forms.ChoiceField(choices=MODES, initial="paste", widget=forms.RadioSelect, label="What to replay")
    method = forms.ChoiceField(
        choices=[("POST", "POST (keeps passwords out of the site's access log)"), ("GET", "GET")],
        initial="POST",
        widget=forms.RadioSelect,
        label="HTTP method",
        help_text="For the URL API. XML API requests are always POSTed.",
    )
    command_text = forms.CharField(
        label="Failing command",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        help_text="A full URL on the site, or just p.php?AT=LI&WID=…. Leave secrets out: type them below.",
    )
    command = forms.ChoiceField(label="Command", required=False)
    params = forms.CharField(
        label="Parameters",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text="One NAME=value per line, e.g. WID=host1. Secrets go in the password fields.",
    )
    pw = secret_input("PW", "Password (LI, SU, EU) or meeting password (SM, JM).")
    npw = secret_input("NPW", "New password (EU).")
    tk = secret_input("TK", "Login ticket (LI).")
    mpw = secret_input("MPW", "Meeting password where a command names it MPW.")
    xml = forms.CharField(
        label="XML request",
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
        help_text=escape("The whole <serv:message>. Leave <password> empty: type it below."),
    )
    xml_password = secret_input("<password>", escape("Put into the request's <password> element."))
    xml_session_ticket = secret_input("<sessionTicket>", escape("Put into the request's <sessionTicket> element."))
    login_first = forms.BooleanField(
        label="Log in first (p.php?AT=LI, then the command, with one cookie jar)",
        required=False,
        help_text="m.php, o.php and c.php commands answer AccessDenied without the login cookie.",
    )
    login_wid = forms.CharField(label="Log-in WID", required=False, max_length=120)
    login_password = secret_input("Log-in PW")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = {}
        commands = Command.objects.filter(service__api=Api.URL).select_related("service")
        for command in commands:
            groups.setdefault(command.service.name, []).append((command.key, f"{command.key} · {command.name}"))
        self.fields["command"].choices = [("", "Choose a command…"), *groups.items()]

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "paste" and not (data.get("command_text") or "").strip():
            self.add_error("command_text", "Paste the failing command, or choose another way to replay.")
        if mode == "build" and not data.get("command"):
            self.add_error("command", "Choose the command to send.")
        if mode == "xml" and not (data.get("xml") or "").strip():
            self.add_error("xml", "Paste the XML request.")
        if mode != "xml" and data.get("login_first"):
            if not data.get("login_wid"):
                self.add_error("login_wid", "Give the WID to log in with.")
            if not data.get("login_password"):
                self.add_error("login_password", "Give the password to log in with.")
        return data

    def secrets(self):
        data = self.cleaned_data
        return {name.upper(): data.get(name) for name in ("pw", "npw", "tk", "mpw") if data.get(name)}

    def replay_input(self):
        """What to replay, for :func:`replay.run.replay` (call after ``is_valid()``)."""
        data = self.cleaned_data
        return ReplayInput(
            mode=data["mode"],
            text=data["xml"] if data["mode"] == "xml" else data.get("command_text") or "",
            command=data.get("command") or "",
            params=data.get("params") or "",
            method=data["method"],
            secrets=self.secrets(),
            xml_password=data.get("xml_password") or "",
            xml_session_ticket=data.get("xml_session_ticket") or "",
            login_first=bool(data.get("login_first")),
            login_wid=data.get("login_wid") or "",
            login_password=data.get("login_password") or "",
            # A refused replay's record names the chosen command (or the XML API), nothing that was typed.
            refused_command={"build": data.get("command") or "", "xml": "XMLService"}.get(data["mode"], ""),
        )

    def known_secrets(self):
        data = getattr(self, "cleaned_data", None) or {}
        values = [data.get(name) for name in SECRET_FIELDS]
        values += [self.data.get(name) for name in SECRET_FIELDS]
        return [v for v in values if isinstance(v, str) and len(v) >= MIN_SCRUB_LENGTH]

    def scrub(self):
        """Forget every secret this form was given, so that re-rendering it can echo none.

        Password fields are emptied; the pasted command, parameters and XML are redacted (PW=•••,
        <password>•••</password>), so a person can correct and resend them after typing the secrets again.
        """
        secrets = self.known_secrets()
        data = QueryDict(mutable=True)
        for key in self.data:
            if key in SECRET_FIELDS or key == "csrfmiddlewaretoken":
                continue
            values = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data[key]]
            if key in TEXT_FIELDS_WITH_SECRETS:
                values = [redact_text(v, secrets) for v in values]
            data.setlist(key, values)
        self.data = data
        if hasattr(self, "cleaned_data"):
            for name in SECRET_FIELDS:
                self.cleaned_data.pop(name, None)
            for name in TEXT_FIELDS_WITH_SECRETS:
                if name in self.cleaned_data:
                    self.cleaned_data[name] = redact_text(self.cleaned_data[name] or "", secrets)
        return self


class HistoryFilterForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.all(), required=False, empty_label="Any site")
    outcome = forms.ChoiceField(choices=[("", "Any outcome"), *ReplayRecord.Outcome.choices], required=False)
    code = forms.CharField(required=False, max_length=80, label="Code (RS or exceptionID)")

    def filter(self, records):
        data = self.cleaned_data
        if data.get("site"):
            records = records.filter(site=data["site"])
        if data.get("outcome"):
            records = records.filter(outcome=data["outcome"])
        if data.get("code"):
            records = records.for_code(data["code"])
        return records
