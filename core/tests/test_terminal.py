"""Every management command of the project writes through core.terminal: control characters and escape sequences
in text it did not write are shown visibly, its own colours are kept, and its errors are made safe too."""

import importlib
import io
import pkgutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from core.terminal import SafeOutputCommand
from webex.tests.samples import TERMINAL_ATTACKS, UNSHOWABLE

APPS = ("core", "kb", "replay", "troubleshooter")


def _commands():
    for app in APPS:
        folder = Path(settings.BASE_DIR) / app / "management" / "commands"
        if folder.is_dir():
            for info in pkgutil.iter_modules([str(folder)]):
                yield f"{app}.management.commands.{info.name}"


@pytest.mark.parametrize("module", list(_commands()))
def test_every_command_of_the_project_is_a_safe_output_command(module):
    assert issubclass(importlib.import_module(module).Command, SafeOutputCommand), module


class Echo(SafeOutputCommand):
    def add_arguments(self, parser):
        parser.add_argument("text")

    def handle(self, *args, text, **options):
        self.stdout.write(text)
        self.stdout.write(self.style.SUCCESS(text))
        raise CommandError(text)


def test_output_errors_and_styles_are_made_safe():
    out, err = io.StringIO(), io.StringIO()
    command = Echo()
    with pytest.raises(CommandError) as raised:
        call_command(command, TERMINAL_ATTACKS, stdout=out, stderr=err, force_color=True)
    written = out.getvalue()
    assert "\x1b[32;1m" in written and "\x1b[0m" in written  # the command's own colour is kept
    written = written.replace("\x1b[32;1m", "").replace("\x1b[0m", "")
    assert not [ch for ch in UNSHOWABLE if ch in written], written
    assert "\\u001b]52;c;" in written
    command.stderr.write(str(raised.value))  # what run_from_argv does with a CommandError
    assert not [ch for ch in UNSHOWABLE if ch in err.getvalue()]
