"""Backwards-compatible names of the exchange services (issue 14).  The code lives by job:
:mod:`.listings` (viewers, blind projections, listing edits), :mod:`.matching_runs`
(running the matcher, offers from flows), :mod:`.workflow` (match and agreement states),
:mod:`.notices` (the one place that creates notifications), :mod:`.funnel` and
:mod:`.investor`.  New code imports from those modules."""

from eiphub.core.quality import parse_quality, quality_text  # noqa: F401

from .funnel import *  # noqa: F401,F403
from .investor import *  # noqa: F401,F403
from .listings import *  # noqa: F401,F403
from .listings import _listing_qs, _shown_text  # noqa: F401
from .matching_runs import *  # noqa: F401,F403
from .matching_runs import _insert_matches, _match_key, _match_values, _notify_new_matches  # noqa: F401
from .notices import *  # noqa: F401,F403
from .workflow import *  # noqa: F401,F403
from .workflow import _lock_agreement, _lock_match, _other_enterprise  # noqa: F401
