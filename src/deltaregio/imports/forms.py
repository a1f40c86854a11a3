"""The import form: a file, a shipped profile or an uploaded one, a dry-run and a skip-invalid box."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from deltaregio.imports.profiles import (
    Profile,
    ProfileError,
    load_profile,
    profile_from_text,
    shipped_profile_names,
)
from deltaregio.imports.readers import max_bytes


class ImportForm(forms.Form):
    profile = forms.ChoiceField(
        label=_("Profile"),
        required=False,
        help_text=_("The mapping profile of a known source, or upload your own below."),
    )
    profile_file = forms.FileField(
        label=_("Or upload a profile (YAML)"),
        required=False,
        help_text=_("A mapping profile for another source; docs/imports.md describes the format."),
    )
    file = forms.FileField(
        label=_("File to import"), help_text=_("CSV, JSON or Excel (.xlsx), as the profile says.")
    )
    dry_run = forms.BooleanField(label=_("Check only (dry run): write nothing"), required=False, initial=True)
    skip_invalid = forms.BooleanField(
        label=_("Import the valid records and skip the invalid ones (they are listed)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [("", "—")] + [(n, n) for n in shipped_profile_names()]  # type: ignore[attr-defined]
        self.loaded_profile: Profile | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(
                _("The file is %(size)s MB; the largest file an import accepts is %(limit)s MB."),
                params={"size": f"{upload.size / 1048576:.1f}", "limit": f"{max_bytes() / 1048576:.1f}"},
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, upload = data.get("profile"), data.get("profile_file")
        if bool(name) == bool(upload):
            raise forms.ValidationError(_("Choose a profile or upload one (not both)."))
        try:
            if upload:
                if upload.size > 1_000_000:
                    raise forms.ValidationError(_("A profile is a small YAML file (at most 1 MB)."))
                try:
                    text = upload.read().decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise forms.ValidationError(_("The profile is not a UTF-8 text file.")) from exc
                self.loaded_profile = profile_from_text(text)
            else:
                self.loaded_profile = load_profile(str(name))
        except ProfileError as exc:
            raise forms.ValidationError([forms.ValidationError(p) for p in exc.problems]) from exc
        return data
