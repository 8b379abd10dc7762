"""Live tenants: the safety rules for writes, the sweep of what runs left behind, contract drift."""
