"""Questionnaire texts in Dutch and English (django-modeltranslation): `text` gives the active
language, `text_nl` and `text_en` both."""

from modeltranslation.translator import TranslationOptions, translator

from deltaregio.funnel.models import Advice, Band, Dimension, Option, Question, Questionnaire


class QuestionnaireOptions(TranslationOptions):
    fields = ("title", "description", "source_text")


class NameDescription(TranslationOptions):
    fields = ("name", "description")


class TextHelp(TranslationOptions):
    fields = ("text", "help")


class Text(TranslationOptions):
    fields = ("text",)


class Label(TranslationOptions):
    fields = ("label",)


for model, options in (
    (Questionnaire, QuestionnaireOptions),
    (Dimension, NameDescription),
    (Question, TextHelp),
    (Option, Text),
    (Band, Label),
    (Advice, Text),
):
    translator.register(model, options)
