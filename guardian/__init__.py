"""Guardian core: config, catalog and detection, money, policy, ledger. No proxy or web framework here."""
