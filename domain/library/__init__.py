"""A person's library: favorites (with their own rating and notes) and the watchlist."""
