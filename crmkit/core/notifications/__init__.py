"""In-app notifications: ``notify()`` stores one in its recipient's language, the bell in the
header counts the unread, a page lists them, each user chooses which kinds also come by email,
and a daily digest mails the day's unread ones (see docs/notifications.md).

``notify`` and ``NotificationKind`` are public as ``crmkit.api.notify`` and
``crmkit.api.NotificationKind``; they are importable from here too.
"""

from crmkit.core.notifications.kinds import NotificationKind
from crmkit.core.notifications.service import notify

__all__ = ["NotificationKind", "notify"]
