"""The agenda is public: everyone may read it. Changes are for officers (through the admin for now)."""

import rules

from deltaregio.accounts.rules import is_staff_or_officer

for name in (
    "theme",
    "subdomain",
    "agendaitem",
    "summit",
    "summitdecision",
    "declarationofintent",
    "event",
    "stakeholdergroup",
    "stakeholdermembership",
):
    rules.add_perm(f"agenda.view_{name}", rules.always_allow)
    rules.add_perm(f"agenda.change_{name}", is_staff_or_officer)
    rules.add_perm(f"agenda.view_history_{name}", is_staff_or_officer)
