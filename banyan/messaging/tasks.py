"""Background tasks of the messaging app (django-tasks; the database queue in production)."""

from django_tasks import task


@task()
def send_message(message_id: int) -> str | None:
    """Send one outbox message (idempotent: see services.send_pending)."""
    from banyan.messaging import services

    return services.send_pending(message_id)
