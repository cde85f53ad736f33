"""Staff: accounts, tokens, scope (which programs one sees), the audit log."""
