"""Every table, registered on ``Base.metadata``: Alembic and the tests import ``Base`` from here.

Each domain keeps its models in its own ``models.py``; importing them all here is what makes
the metadata complete, whichever module a process happens to import first.
"""

from __future__ import annotations

from backend.applications import models as _applications
from backend.broadcasts import models as _broadcasts
from backend.cases import models as _cases
from backend.console import models as _console
from backend.conversations import models as _conversations
from backend.db.base import Base
from backend.loans import models as _loans
from backend.media import models as _media
from backend.people import models as _people
from backend.reminders import models as _reminders
from backend.staff import models as _staff
from backend.stats import models as _stats
from backend.surveys import models as _surveys
from backend.trainings import models as _trainings

__all__ = ["Base"]
DOMAINS = (
    _applications,
    _broadcasts,
    _cases,
    _console,
    _conversations,
    _loans,
    _media,
    _people,
    _reminders,
    _staff,
    _stats,
    _surveys,
    _trainings,
)

# CHECK constraints and the delivery path's indexes, declared in one place (migration 0006),
# once every domain's tables are registered.
from backend.db.constraints import register as _register_constraints  # noqa: E402

_register_constraints(Base.metadata)
