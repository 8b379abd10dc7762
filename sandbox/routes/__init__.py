"""The route table: every emulated endpoint, assembled from the API-group modules."""

from sandbox.routes import auth, blackboard, checkin, hrm, report, robot, union
from sandbox.routes.base import Route

__all__ = ["Route", "build_routes"]


def build_routes() -> dict[tuple[str, str], Route]:
    """Every route, keyed by (HTTP method, path)."""
    routes = [
        *auth.ROUTES,
        *blackboard.ROUTES,
        *report.ROUTES,
        *hrm.ROUTES,
        *checkin.ROUTES,
        *union.ROUTES,
        *robot.ROUTES,
    ]
    return {(route.method, route.path): route for route in routes}
