"""Reactions to events that reach people: the verification and reset emails."""
