"""Who may use the operations endpoints. The health check is public: a load balancer asks it without
logging in, and it tells only whether each part is up, never an address, a version or a secret."""

import rules

rules.add_perm("ops.view_health", rules.always_allow)
