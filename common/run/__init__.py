"""Running cases: the step runner (render, send, check, save), the checks, the ledger of writes, suite strength."""
