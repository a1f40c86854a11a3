from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from deltaregio.accounts.models import Affiliation


@admin.register(Affiliation)
class AffiliationAdmin(SimpleHistoryAdmin):
    list_display = ("user", "organisation", "since")
