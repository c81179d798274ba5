"""The business core: aggregates, commands, events and handlers; no framework imports."""
