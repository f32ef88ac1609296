"""/health/ for monitoring: the database, the cache, the broker and the file storage.

Built on django-health-check. Anyone (a load balancer, a monitoring probe) gets the overall
state only — 200 "ok" or 503 "unavailable" — so nothing about the installation leaks; a
superuser gets each check with its error (HTML, or JSON with ``?format=json``)."""

import dataclasses

from django.conf import settings
from django.http import HttpResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker answers a connection (no worker needed). Without a broker the
    tasks run in-process (the laptop), which is healthy too."""

    def run(self):
        from liaison.celery import app

        if app.conf.task_always_eager:
            return
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(
                    max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT
                )
        except Exception as error:  # kombu and redis raise many kinds
            raise ServiceUnavailable("broker unreachable") from error


class PortalHealthView(HealthCheckView):
    checks = (Database, Cache, Broker, Storage)

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        user = await request.auser()
        if user.is_superuser:
            return response
        healthy = not any(result.error for result in self.results)
        return HttpResponse(
            "ok\n" if healthy else "unavailable\n",
            status=200 if healthy else 503,
            content_type="text/plain; charset=utf-8",
        )
