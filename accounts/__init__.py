"""People's credentials: expiring API tokens, login lockout, password change and reset."""
