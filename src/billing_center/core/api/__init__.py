"""What every API router needs, below the apps: auth classes, the holder accessor and problem details.

``billing_center.api`` only assembles the routers; routers import from here, never from it.
"""

from billing_center.core.api.auth import CsrfProtected, HolderSession, holder
from billing_center.core.api.problems import (
    PROBLEM_TYPE_BASE,
    ProblemFieldError,
    ProblemOut,
    install_problem_handlers,
    problem,
    problems_for,
)

__all__ = [
    "PROBLEM_TYPE_BASE",
    "CsrfProtected",
    "HolderSession",
    "ProblemFieldError",
    "ProblemOut",
    "holder",
    "install_problem_handlers",
    "problem",
    "problems_for",
]
