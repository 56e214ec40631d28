"""Handover of a child from a daycare to a school, with the parents 'consent recorded."""
