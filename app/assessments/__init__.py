"""Assessments: the questionnaire with autosaved drafts, and the finished, read-only results."""
