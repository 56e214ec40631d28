"""Field types shared by the JSON request bodies of every domain.

Pydantic's lax mode turns ``true`` into ``1`` and ``"7"`` into ``7``: a body of
``{"child_id": true}`` would name child 1. Ids and levels in request bodies are therefore
strict integers, bounded by what the database can hold.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

#: The largest signed 64-bit integer: the range of every id column.
MAX_ID = 2**63 - 1

Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
"""A row id in a request body: a JSON integer, never a boolean, a float or a string."""

LevelNumber = Annotated[int, Strict(), Field(ge=1, le=4)]
"""A well-being level 1–4 in a request body, as strict as an id."""
