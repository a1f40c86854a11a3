"""Who may import and see imports: programme officers (and superusers). The exports of the lists and
reports follow the permission of what they show (projects.view_project, directory.view_organisation,
funding.view_call); an unpublished project is only in the exports of those who may see it."""

import rules

from deltaregio.accounts.rules import is_staff_or_officer

rules.add_perm("imports.run_import", is_staff_or_officer)
rules.add_perm("imports.view_importrun", is_staff_or_officer)
