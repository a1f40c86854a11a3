"""Content fields in Dutch and English (django-modeltranslation). The historical models of
django-simple-history are registered too, so that history keeps both languages."""

from modeltranslation.translator import TranslationOptions, translator

from deltaregio.agenda.models import AgendaItem, Event, Subdomain, Summit, SummitDecision, Theme


class NameDescription(TranslationOptions):
    fields = ("name", "description")


class Title(TranslationOptions):
    fields = ("title",)


class Text(TranslationOptions):
    fields = ("text",)


for model, options in (
    (Theme, NameDescription),
    (Subdomain, NameDescription),
    (AgendaItem, Text),
    (Summit, Title),
    (SummitDecision, Text),
    (Event, Title),
):
    translator.register(model, options)
    translator.register(model.history.model, options)
