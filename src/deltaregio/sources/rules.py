import rules

rules.add_perm("sources.view_sourcedocument", rules.always_allow)
rules.add_perm("sources.view_statement", rules.always_allow)
