"""Saved progress: the store, the 'where you left off' dashboard and the gradebook."""
