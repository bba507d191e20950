from django.conf import settings

from banyan.core import navigation


def layout(request):
    """What the base layout needs: the company, the menus, and the read-only banner."""
    user = getattr(request, "user", None)
    company = getattr(user, "company", None) if user and user.is_authenticated else None
    if company is None:
        return {"current_company": None, "nav_main": [], "nav_account": []}
    return {
        "current_company": company,
        "nav_main": navigation.items_for(user, "main"),
        "nav_account": navigation.items_for(user, "account"),
        "settings_support_contact": settings.BANYAN_SUPPORT_CONTACT,
    }
