"""Scheme texts in Dutch and English (django-modeltranslation; the historical model too, so history
keeps both languages): `name` gives the active language,
`name_nl` and `name_en` both."""

from modeltranslation.translator import TranslationOptions, translator

from deltaregio.vouchers.models import VoucherScheme


class VoucherSchemeOptions(TranslationOptions):
    fields = ("name", "description", "eligible_services", "committee_text")


translator.register(VoucherScheme, VoucherSchemeOptions)
translator.register(VoucherScheme.history.model, VoucherSchemeOptions)
