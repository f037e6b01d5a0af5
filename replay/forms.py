"""The replay form and the history filter."""

import re

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape

from kb.models import Api, Command
from replay.models import ReplayRecord, Site
from replay.plan import MIN_SCRUB_LENGTH, ReplayInput
from replay.prefill import command_key_of
from replay.wizardlink import safe_step_path
from replay.xmltemplates import fill_xml
from webex.commandkeys import needs_session, site_change
from webex.redaction import SECRET_PARAMS, is_secret_name, redact_text

PARAM_PREFIX = "param_"
PARAM_FIELD_RE = re.compile(r"^param_([A-Za-z][A-Za-z0-9_]{0,39})$")
SECRET_PARAM_FIELDS = tuple(f"{PARAM_PREFIX}{name}" for name in sorted(SECRET_PARAMS))
# The paste mode's password fields: one per secret URL API parameter (webex.redaction.SECRET_PARAMS, the one list),
# named after it in lower case (PW -> pw), PW first.
PASTE_SECRETS = tuple(sorted(SECRET_PARAMS, key=lambda name: (name != "PW", name)))
PASTE_SECRET_FIELDS = tuple(name.lower() for name in PASTE_SECRETS)
SECRET_PARAM_HELP = {
    "PW": "Password (LI, SU, EU) or meeting password (SM, JM).",
    "NPW": "New password (EU).",
    "TK": "Login ticket (LI).",
    "MPW": "Meeting password where a command names it MPW.",
}
SECRET_FIELDS = (*PASTE_SECRET_FIELDS, "xml_password", "xml_session_ticket", "login_password", *SECRET_PARAM_FIELDS)
TEXT_FIELDS_WITH_SECRETS = ("command_text", "params", "xml")


def is_secret_field(name):
    """A password field of the form: the fixed ones, and any built parameter whose name is a secret (param_PW)."""
    match = PARAM_FIELD_RE.match(name or "")
    return name in SECRET_FIELDS or (match is not None and is_secret_name(match.group(1)))


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
        label="More parameters",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "autocomplete": "off"}),
        help_text="Any other parameter, one NAME=value per line, e.g. LF=1. Secrets go in password fields.",
    )
    xml_template = forms.ChoiceField(
        label="Start from a template",
        required=False,
        help_text="A starting skeleton per XML API call; it replaces the request below.",
    )
    xml = forms.CharField(
        label="XML request",
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
        help_text=escape("The whole <serv:message>. Leave <password> empty: type it below."),
    )
    xml_webex_id = forms.CharField(
        label="WebEx ID",
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=escape("Asked once: put into every empty <webExID> element. <siteName> comes from the site."),
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
    from_step = forms.CharField(required=False, max_length=600, widget=forms.HiddenInput)
    confirm_change = forms.BooleanField(
        label="Yes, send it: I know this command changes the site",
        required=False,
        help_text="Needed on sites that are not marked as test sites.",
    )

    def __init__(self, *args, commands=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name in PASTE_SECRETS:
            self.fields[name.lower()] = secret_input(name, SECRET_PARAM_HELP.get(name, ""))
        commands = list(commands) if commands is not None else list(Command.objects.select_related("service"))
        self.commands = {command.key: command for command in commands}
        groups = {}
        for command in commands:
            if command.service.api == Api.URL:
                groups.setdefault(command.service.name, []).append((command.key, f"{command.key} · {command.name}"))
        self.fields["command"].choices = [("", "Choose a command…"), *groups.items()]
        self.fields["command"].widget.attrs.update(
            {
                # htmx swaps in the chosen command's parameter fields; "log in first" follows the command (JS).
                "hx-get": reverse("replay:parameters"),
                "hx-trigger": "change",
                "hx-target": "#build-params",
                "hx-swap": "outerHTML",
                "hx-include": "this",
                "data-needs-session": " ".join(k for k in self.commands if needs_session(k)),
            }
        )
        self.fields["xml_template"].widget.attrs["data-xml-template-select"] = ""
        self.xml_commands = [c for c in commands if c.service.api == Api.XML]
        self.fields["xml_template"].choices = [("", "Choose an XML API call…")] + [
            (c.key, f"{c.code} · {c.name}") for c in self.xml_commands
        ]
        self.build_command = self.commands.get(self._value("command") or "")
        self.param_fields = self._add_param_fields()
        if not self.is_bound and self.initial.get("mode") == "xml":
            self.fields["xml_password"].widget.attrs["autofocus"] = True  # the template arrives filled

    @property
    def paste_secret_fields(self):
        return [self[name] for name in PASTE_SECRET_FIELDS]

    def _value(self, name):
        if self.is_bound:
            return self.data.get(name)
        return self.initial.get(name)

    def _add_param_fields(self):
        """One field per parameter the chosen command lists (param_WID …), required ones marked, secrets as
        password fields that are never filled in; plus any param_ field that was posted (a command changed
        without JavaScript keeps what was typed)."""
        names = []
        known = {p["name"]: p for p in (self.build_command.parameters if self.build_command else [])}
        for name in known:
            if PARAM_FIELD_RE.match(PARAM_PREFIX + name):
                names.append(name)
        if self.is_bound:
            for key in self.data:
                match = PARAM_FIELD_RE.match(key)
                if match and match.group(1) not in names:
                    names.append(match.group(1))
        fields = []
        for name in names:
            spec = known.get(name, {})
            required = bool(spec.get("required"))
            help_text = spec.get("description", "")
            attrs = {"autocomplete": "off", "spellcheck": "false", "data-param": name}
            if required:
                attrs["aria-required"] = "true"
            if is_secret_name(name):
                field = forms.CharField(
                    label=name,
                    required=False,
                    strip=False,
                    max_length=500,
                    help_text=help_text,
                    widget=forms.PasswordInput(render_value=False, attrs=attrs),
                )
            else:
                field = forms.CharField(
                    label=name, required=False, max_length=2000, help_text=help_text, widget=forms.TextInput(attrs)
                )
            field.param_required = required
            self.fields[PARAM_PREFIX + name] = field
            fields.append(PARAM_PREFIX + name)
        return fields

    def param_bound_fields(self):
        return [self[name] for name in self.param_fields]

    def clean_from_step(self):
        return safe_step_path(self.cleaned_data.get("from_step") or "")

    def command_key(self):
        """The command this form would send, as a key (``p.php?AT=SU``, ``XMLService:user.CreateUser``), or ""."""
        mode = self._value("mode")
        if mode == "build":
            return self._value("command") or ""
        return command_key_of(self._value("xml" if mode == "xml" else "command_text") or "")

    def chosen_site(self):
        wanted = str(self._value("site") or "")
        if getattr(self, "_chosen", (None, None))[0] != wanted:  # one query per form, however often it is asked
            pk = int(wanted) if wanted.isdigit() else None
            self._chosen = (wanted, Site.objects.filter(pk=pk).first() if pk is not None else None)
        return self._chosen[1]

    @property
    def caution(self):
        """What the command changes on the chosen site (webex.commandkeys.site_change), or ""."""
        site = self.chosen_site()
        return site_change(self.command_key(), site.name if site else "the chosen site")

    @property
    def needs_confirmation(self):
        site = self.chosen_site()
        return bool(self.caution) and not (site is not None and site.is_test_site)

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        site = data.get("site")
        caution = site_change(self.command_key(), site.name if site else "the site")
        if caution and site is not None and not site.is_test_site and not data.get("confirm_change"):
            self.add_error(
                "confirm_change",
                f"This command {caution}. {site.name} is not marked as a test site: tick the box to send it.",
            )
        if mode == "paste" and not (data.get("command_text") or "").strip():
            self.add_error("command_text", "Paste the failing command, or choose another way to replay.")
        if mode == "build" and not data.get("command"):
            self.add_error("command", "Choose the command to send.")
        if mode == "build" and data.get("command"):
            for name in self.param_fields:
                if getattr(self.fields[name], "param_required", False) and not data.get(name):
                    self.add_error(name, f"{name[len(PARAM_PREFIX) :]} is required for {data['command']}.")
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
        if data.get("mode") == "build":
            return {
                name[len(PARAM_PREFIX) :].upper(): data[name]
                for name in self.param_fields
                if is_secret_field(name) and data.get(name)
            }
        return {name.upper(): data.get(name) for name in PASTE_SECRET_FIELDS if data.get(name)}

    def build_params(self):
        """The built command's parameters as NAME=value lines: the fields first, then the extra lines."""
        data = self.cleaned_data
        lines = [
            f"{name[len(PARAM_PREFIX) :]}={data[name].strip()}"
            for name in self.param_fields
            if not is_secret_field(name) and (data.get(name) or "").strip()
        ]
        extra = data.get("params") or ""
        return "\n".join([*lines, extra]) if extra else "\n".join(lines)

    def replay_input(self):
        """What to replay, for :func:`replay.run.replay` (call after ``is_valid()``)."""
        data = self.cleaned_data
        return ReplayInput(
            mode=data["mode"],
            text=self._xml_filled() if data["mode"] == "xml" else data.get("command_text") or "",
            command=data.get("command") or "",
            params=self.build_params() if data["mode"] == "build" else data.get("params") or "",
            method=data["method"],
            secrets=self.secrets(),
            xml_password=data.get("xml_password") or "",
            xml_session_ticket=data.get("xml_session_ticket") or "",
            login_first=bool(data.get("login_first")),
            login_wid=data.get("login_wid") or "",
            login_password=data.get("login_password") or "",
            # A refused replay's record names the chosen command (or the XML API), nothing that was typed.
            refused_command={"build": data.get("command") or "", "xml": "XMLService"}.get(data["mode"], ""),
            from_step=data.get("from_step") or "",
        )

    def _xml_filled(self):
        data = self.cleaned_data
        site = data.get("site")
        return fill_xml(
            data["xml"], site_name=site.site_name if site else "", webex_id=(data.get("xml_webex_id") or "").strip()
        )

    def focus_first_error(self):
        """Without JavaScript too, the first field to fix gets the focus (not the summary far above it)."""
        for name in self.fields:
            if name in self.errors:
                self.fields[name].widget.attrs["autofocus"] = True
                return name
        return None

    def input_field(self):
        """The field an input mistake is shown on, for the chosen way to replay."""
        mode = (getattr(self, "cleaned_data", None) or {}).get("mode")
        return {"build": "params", "xml": "xml"}.get(mode, "command_text")

    def known_secrets(self):
        data = getattr(self, "cleaned_data", None) or {}
        names = [*SECRET_FIELDS, *(n for n in self.param_fields if is_secret_field(n))]
        values = [data.get(name) for name in names]
        values += [self.data.get(name) for name in names]
        return [v for v in values if isinstance(v, str) and len(v) >= MIN_SCRUB_LENGTH]

    def scrub(self):
        """Forget every secret this form was given, so that re-rendering it can echo none.

        Password fields are emptied; the pasted command, parameters and XML are redacted (PW=•••,
        <password>•••</password>), so a person can correct and resend them after typing the secrets again.
        """
        secrets = self.known_secrets()
        data = QueryDict(mutable=True)
        for key in self.data:
            if is_secret_field(key) or key == "csrfmiddlewaretoken":
                continue
            values = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data[key]]
            if key in TEXT_FIELDS_WITH_SECRETS:
                values = [redact_text(v, secrets) for v in values]
            data.setlist(key, values)
        self.data = data
        if hasattr(self, "cleaned_data"):
            for name in [*SECRET_FIELDS, *self.param_fields]:
                if is_secret_field(name):
                    self.cleaned_data.pop(name, None)
            for name in TEXT_FIELDS_WITH_SECRETS:
                if name in self.cleaned_data:
                    self.cleaned_data[name] = redact_text(self.cleaned_data[name] or "", secrets)
        return self


class HistoryFilterForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.all(), required=False, empty_label="Any site")
    outcome = forms.ChoiceField(choices=[("", "Any outcome"), *ReplayRecord.Outcome.choices], required=False)
    code = forms.CharField(required=False, max_length=80, label="Code (RS or exceptionID)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def filter(self, records):
        data = self.cleaned_data
        if data.get("site"):
            records = records.filter(site=data["site"])
        if data.get("outcome"):
            records = records.filter(outcome=data["outcome"])
        if data.get("code"):
            records = records.for_code(data["code"])
        return records
