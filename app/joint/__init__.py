"""Joint assessments (egen vurdering → fælles vurdering): several professionals assess a child
alone, then agree one joint assessment; the independence rule lives in ``scope.py``."""
