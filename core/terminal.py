"""Every command line's output is safe to show in a terminal: what a command prints of text it did not write (a
site's answer, an editor's entry, a fixture) cannot write to the clipboard (OSC 52), set the window title, clear the
screen or reorder the line (bidi overrides). ``SafeOutputCommand`` is the base of every management command of the
project: whatever its ``stdout`` and ``stderr`` (errors included) write shows those characters visibly
(``webex.text.shown_safely``); the command's own colours (``self.style``) are kept."""

from django.core.management.base import BaseCommand, OutputWrapper

from webex.text import shown_safely


class Styled(str):
    """Text already made safe and coloured by the command's own style: written as it is."""


class SafeStyle:
    """A command's ``style`` whose colour functions make their text safe first, then colour it."""

    def __init__(self, style):
        self._style = style

    def __getattr__(self, name):
        func = getattr(self._style, name)
        if not callable(func):
            return func
        return lambda text: Styled(func(shown_safely(text)))


class SafeOutputWrapper(OutputWrapper):
    def write(self, msg="", style_func=None, ending=None):
        super().write(msg if isinstance(msg, Styled) else shown_safely(msg), style_func, ending)


def _safe(wrapper, out=None):
    safe = SafeOutputWrapper(wrapper._out if out is None else out, ending=wrapper.ending)
    if out is None:
        safe.__dict__["_style_func"] = wrapper.style_func  # kept as it was chosen (colour only on a terminal)
    return safe


class SafeOutputCommand(BaseCommand):
    """A management command whose every written line shows control characters and escape sequences visibly."""

    @property
    def style(self):
        return self._safe_style

    @style.setter
    def style(self, style):  # BaseCommand sets it in __init__ and again for --no-color / --force-color
        self._safe_style = style if isinstance(style, SafeStyle) else SafeStyle(style)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stdout = _safe(self.stdout)
        self.stderr = _safe(self.stderr)

    def execute(self, *args, **options):
        # Django's execute() would wrap streams given as options (call_command(stdout=…)) in a plain OutputWrapper.
        stdout, stderr = options.pop("stdout", None), options.pop("stderr", None)
        if stdout:
            self.stdout = _safe(self.stdout, stdout)
        if stderr:
            self.stderr = _safe(self.stderr, stderr)
        return super().execute(*args, **options)
