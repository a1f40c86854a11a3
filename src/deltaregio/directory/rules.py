"""Who may see what in the directory. Organisations and labs are public; people only for officers."""

import rules

from deltaregio.accounts.rules import is_staff_or_officer

rules.add_perm("directory.view_organisation", rules.always_allow)
rules.add_perm("directory.view_lab", rules.always_allow)
rules.add_perm("directory.view_person", is_staff_or_officer)
