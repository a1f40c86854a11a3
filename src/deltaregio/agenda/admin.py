from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.agenda.models import (
    AgendaItem,
    DeclarationOfIntent,
    Event,
    StakeholderGroup,
    StakeholderMembership,
    Subdomain,
    Summit,
    SummitDecision,
    Theme,
)


class SubdomainInline(TranslationTabularInline):
    model = Subdomain
    extra = 0


class AgendaItemInline(TranslationTabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("name", "code", "order", "added_on", "removed_on")
    inlines = [SubdomainInline, AgendaItemInline]


class SummitDecisionInline(TranslationTabularInline):
    model = SummitDecision
    extra = 0


@admin.register(Summit)
class SummitAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("number", "date", "place", "title")
    inlines = [SummitDecisionInline]


@admin.register(DeclarationOfIntent)
class DeclarationAdmin(SimpleHistoryAdmin):
    list_display = ("date", "title")


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("date", "title", "kind")


class MembershipInline(admin.TabularInline):
    model = StakeholderMembership
    extra = 0


@admin.register(StakeholderGroup)
class StakeholderGroupAdmin(SimpleHistoryAdmin):
    list_display = ("name", "founded_text")
    inlines = [MembershipInline]
