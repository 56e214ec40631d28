"""(Being written.)"""

from app.web.routing import make_router

router = make_router()
