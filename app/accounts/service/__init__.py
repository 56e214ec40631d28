"""Accounts services, one module per responsibility; they flush, never commit.

- ``organisation``: districts and institutions
- ``users``: look-ups and the admins' user management
- ``sessions``: server-side sessions (start, resolve, end, revoke)
- ``login``: the one login flow (throttling included) and changing one's own password
- ``oidc``: sign-in through the identity provider (claims → user, session or refusal)

Callers import this package (``from app.accounts import service``); its names are the
accounts domain's service interface.
"""

from app.accounts.service.login import (
    LoginOutcome,
    LoginResult,
    attempt_login,
    change_own_password,
    log_in,
    throttle_seconds,
    throttled_error,
)
from app.accounts.service.oidc import get_by_subject, oidc_failed, oidc_sign_in
from app.accounts.service.organisation import (
    create_district,
    create_institution,
    get_district,
    get_institution,
    list_districts,
    list_institutions,
    rename_district,
    set_district_external_id,
    set_institution_external_id,
    update_institution,
)
from app.accounts.service.sessions import (
    SESSION_TOUCH_SECONDS,
    LiveSession,
    LoginPolicy,
    end_session,
    hash_token,
    resolve_session,
    revoke_all_sessions,
    start_session,
)
from app.accounts.service.users import (
    USERNAME_RE,
    UserPage,
    UserSearch,
    active_members,
    colleague_names,
    create_user,
    display_names,
    find_users,
    get_by_username,
    get_user,
    normalize_username,
    reset_password,
    set_active,
    view_user,
)

__all__ = [
    "SESSION_TOUCH_SECONDS",
    "USERNAME_RE",
    "LiveSession",
    "LoginOutcome",
    "LoginPolicy",
    "LoginResult",
    "UserPage",
    "UserSearch",
    "active_members",
    "attempt_login",
    "change_own_password",
    "colleague_names",
    "create_district",
    "create_institution",
    "create_user",
    "display_names",
    "end_session",
    "find_users",
    "get_by_subject",
    "get_by_username",
    "get_district",
    "get_institution",
    "get_user",
    "hash_token",
    "list_districts",
    "list_institutions",
    "log_in",
    "normalize_username",
    "oidc_failed",
    "oidc_sign_in",
    "rename_district",
    "reset_password",
    "resolve_session",
    "revoke_all_sessions",
    "set_active",
    "set_district_external_id",
    "set_institution_external_id",
    "start_session",
    "throttle_seconds",
    "throttled_error",
    "update_institution",
    "view_user",
]
