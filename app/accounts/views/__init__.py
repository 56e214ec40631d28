"""The accounts pages, one module per part: ``login`` (log in and out, own password), ``oidc`` (the
identity provider's sign-in),
``users`` and ``organisation`` (the admins' pages). ``router`` holds them all."""

from app.accounts.views import login, oidc, organisation, users
from app.web.routing import make_router

router = make_router(include_in_schema=False)
for _part in (login, oidc, users, organisation):
    router.include_router(_part.router)

__all__ = ["router"]
