"""Concerns: parent dialogues, anonymous consultations and notifications, and the inbox."""
