from django import forms


class FeedbackForm(forms.Form):
    resolved = forms.ChoiceField(
        label="Did this solve it?",
        choices=[("yes", "Yes, it solved it"), ("no", "No, it did not")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happened instead, or what was missing. Do not paste passwords.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels are questions or names, never "Name:"
        super().__init__(*args, **kwargs)

    def error_text(self):
        return " ".join(str(e) for errors in self.errors.values() for e in errors)
