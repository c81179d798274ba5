"""Accounts: people, their credentials and their login sessions."""
