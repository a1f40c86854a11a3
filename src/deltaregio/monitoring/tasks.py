"""Background work of the monitoring domain (Celery; inline when no broker is configured).

"monitoring-recompute": {"task": "deltaregio.monitoring.tasks.recompute_indicators", "schedule": 3600.0}
"""

from __future__ import annotations

from celery import shared_task

from deltaregio.monitoring import services


@shared_task(name="deltaregio.monitoring.tasks.recompute_indicators", acks_late=True)
def recompute_indicators(codes: list[str] | None = None) -> dict[str, str]:
    """Recompute the computed indicators from the platform's records."""
    return services.indicators_recompute(codes=codes).computed


@shared_task(name="deltaregio.monitoring.tasks.generate_report", acks_late=True)
def generate_report(report_id: int) -> str:
    report = services.report_generate(report_id=report_id)
    return str(report.status)
