"""Meetings about a child (tværfagligt møde, netværksmøde, statusmøde): who took part, what was
agreed, and the follow-up date that comes back on the recorder's start page."""
