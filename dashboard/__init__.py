"""Guardian dashboard (Flask adapter)."""
