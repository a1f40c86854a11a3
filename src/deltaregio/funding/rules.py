"""Funding instruments and calls are published information: public to read."""

import rules

for name in ("funder", "instrument", "call", "callstatistic", "applicationdomain", "keytechnology"):
    rules.add_perm(f"funding.view_{name}", rules.always_allow)
