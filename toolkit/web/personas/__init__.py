"""Persona pages: a round's personas, one persona and its hand edits, and the Word briefs
(one at a time, or all of a round as a zip made in the background)."""
