"""Writes on users: create, change place in the reporting line, deactivate, passwords."""

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from banyan.accounts import backends, lockout
from banyan.accounts.guards import ensure_account_admin, ensure_can_write, ensure_not_demo
from banyan.accounts.hierarchy import position_errors
from banyan.accounts.models import SPECIAL_PERMISSION_CODENAMES, Company, Role, User
from banyan.accounts.services.tokens import api_tokens_revoke_all
from banyan.core.errors import DomainError, NotFound, ValidationFailed
from banyan.core.hooks import Hook
from banyan.core.phones import normalize_phone
from banyan.core.text import clean_text

# Apps that own records per user register a handover here (customers, open opportunities,
# open tasks), so a leaving user's records go to their successor in the same transaction.
DEACTIVATION_HANDOVERS = Hook("user deactivated with a successor", "actor, from_user, to_user")


def _lock_company(company_id: int) -> Company:
    """Serialise changes to one company's reporting line (admin counts, moves)."""
    return Company.objects.select_for_update().get(pk=company_id)


def _errors_from(exc: ValidationError, field: str) -> list[str]:
    return [str(m) for m in exc.messages]


def _clean_contact_fields(data: dict, errors: dict) -> None:
    if "real_name" in data:
        data["real_name"] = clean_text(data["real_name"])
    if "email" in data:
        data["email"] = clean_text(data["email"]).lower()
        if data["email"]:
            from django.core.validators import validate_email

            try:
                validate_email(data["email"])
            except ValidationError:
                errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
    if "mobile" in data:
        try:
            data["mobile"] = normalize_phone(data["mobile"] or "", mobile_only=True)
        except ValidationError as exc:
            errors.setdefault("mobile", []).extend(_errors_from(exc, "mobile"))


def _admin_bosses_remaining(company_id: int, *, excluding: User) -> int:
    return (
        User.objects.filter(company_id=company_id, role=Role.BOSS, is_admin=True, is_active=True)
        .exclude(pk=excluding.pk)
        .count()
    )


def _set_special_permissions(user: User, codenames: Iterable[str]) -> None:
    codenames = set(codenames)
    unknown = codenames - set(SPECIAL_PERMISSION_CODENAMES)
    if unknown:
        raise ValidationFailed(
            {
                "permissions": [
                    _("Unknown permission: %(names)s.") % {"names": ", ".join(sorted(unknown))}
                ]
            }
        )
    permissions = Permission.objects.filter(
        content_type__app_label="accounts",
        content_type__model="user",
        codename__in=codenames,
    )
    user.user_permissions.set(permissions)
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)


def _move_subtree(user: User, new_parent_path: str) -> None:
    """Re-root `user` and everyone below: one UPDATE rewriting the paths' prefix."""
    old_path = user.path
    new_path = f"{new_parent_path}{user.pk}/"
    if old_path == new_path:
        return
    User.objects.filter(company_id=user.company_id, path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
    )
    user.path = new_path


def _validate_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed({"password": list(exc.messages)}) from exc


def _set_password(user: User, password: str) -> None:
    """Every change of a password goes through here: whoever knew the old one may hold a
    token made with it, so the user's tokens go with it."""
    user.set_password(password)
    user.save(update_fields=["password"])
    api_tokens_revoke_all(user=user)


def _validate_username(company_id: int, username: str, *, exclude_pk=None) -> str:
    username = clean_text(username)
    errors = []
    if not username:
        errors.append(_("Enter a username."))
    else:
        try:
            User._meta.get_field("username").run_validators(username)
        except ValidationError as exc:
            errors.extend(exc.messages)
        if len(username) > 50:
            errors.append(_("A username has at most 50 characters."))
        clash = User.objects.filter(company_id=company_id, username__iexact=username)
        if exclude_pk:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors.append(
                _("The username %(username)s is already taken in your company.")
                % {"username": username}
            )
    if errors:
        raise ValidationFailed({"username": errors})
    return username


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    company: Company | None = None,
    username: str,
    password: str,
    real_name: str = "",
    mobile: str = "",
    email: str = "",
    role: str = Role.SALES,
    superior: User | None = None,
    assistant_of: User | None = None,
    is_admin: bool = False,
    is_active: bool = True,
    permissions: Iterable[str] = (),
    check_password_strength: bool = True,
) -> User:
    """Add a user to the actor's company (an admin boss only) at a legal place in the line.

    `actor=None` with an explicit `company` is reserved for provisioning (registration,
    operator commands, the demo seeder), which create a company's first users.
    """
    if actor is not None:
        ensure_account_admin(actor)
        ensure_not_demo(actor)
        company = actor.company
    if company is None:
        raise DomainError(_("A user must belong to a company."))
    _lock_company(company.pk)
    username = _validate_username(company.pk, username)
    data = {"real_name": real_name, "mobile": mobile, "email": email}
    errors: dict[str, list[str]] = {}
    _clean_contact_fields(data, errors)
    errors.update(
        position_errors(
            user=None,
            company_id=company.pk,
            role=role,
            superior=superior,
            assistant_of=assistant_of,
            is_admin=is_admin,
        )
    )
    if errors:
        raise ValidationFailed(errors)
    user = User(
        company=company,
        username=username,
        role=role,
        superior=superior,
        assistant_of=assistant_of,
        is_admin=is_admin,
        is_active=is_active,
        **data,
    )
    if check_password_strength:
        _validate_password(password, user)
    user.set_password(password)
    user._history_user = actor  # audited: who added them (None when provisioning)
    user.save()
    user.path = f"{superior.path if superior else '/'}{user.pk}/"
    user.save(update_fields=["path"])
    _set_special_permissions(user, permissions)
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    permissions: Iterable[str] | None = None,
    **changes,
) -> User:
    """Change a user's details or place; moving them moves everyone below them too.

    Refused: an illegal reporting line, a loop, the last active admin boss losing admin
    rights or boss role, and anything outside the actor's company. Deactivating revokes the
    user's API tokens (reactivating does not bring them back).
    """
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    if user.company_id != actor.company_id:
        raise NotFound()
    _lock_company(user.company_id)
    user.refresh_from_db()
    allowed = {
        "username",
        "real_name",
        "mobile",
        "email",
        "role",
        "superior",
        "assistant_of",
        "is_admin",
        "is_active",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    errors: dict[str, list[str]] = {}
    if "username" in changes:
        try:
            changes["username"] = _validate_username(
                user.company_id, changes["username"], exclude_pk=user.pk
            )
        except ValidationFailed as exc:
            errors.update(exc.errors)
    _clean_contact_fields(changes, errors)

    role = changes.get("role", user.role)
    superior = changes.get("superior", user.superior)
    assistant_of = changes.get("assistant_of", user.assistant_of)
    is_admin = changes.get("is_admin", user.is_admin)
    if role != Role.BOSS and "is_admin" not in changes:
        is_admin = False
        changes["is_admin"] = False
    is_active = changes.get("is_active", user.is_active)
    errors.update(
        position_errors(
            user=user,
            company_id=user.company_id,
            role=role,
            superior=superior,
            assistant_of=assistant_of,
            is_admin=is_admin,
        )
    )
    loses_admin = user.is_account_admin and not (is_active and role == Role.BOSS and is_admin)
    if loses_admin and _admin_bosses_remaining(user.company_id, excluding=user) == 0:
        errors.setdefault("is_admin", []).append(
            _("At least one active administrator boss must remain: appoint another first.")
        )
    if not is_active and user.is_active:
        _check_can_deactivate(user, errors)
    if errors:
        raise ValidationFailed(errors)

    superior_changed = (superior.pk if superior else None) != user.superior_id
    deactivating = user.is_active and not is_active
    for field, value in changes.items():
        setattr(user, field, value)
    user._history_user = actor
    user.save()
    if superior_changed:
        _move_subtree(user, superior.path if superior else "/")
        user.save(update_fields=["path"])
    if permissions is not None:
        _set_special_permissions(user, permissions)
    if deactivating:
        # A deactivated user's programs stop now, and stay stopped if they come back.
        api_tokens_revoke_all(user=user)
    return user


def _check_can_deactivate(user: User, errors: dict) -> None:
    active_below = user.subordinates.filter(is_active=True).count()
    if active_below:
        errors.setdefault("is_active", []).append(
            _(
                "%(name)s still has %(count)d active subordinates: give them another superior "
                "before deactivating."
            )
            % {"name": user.display_name, "count": active_below}
        )
    principals_served = user.assistants.filter(is_active=True).count()
    if principals_served:
        errors.setdefault("is_active", []).append(
            _("%(count)d active assistants work for %(name)s: reassign them first.")
            % {"name": user.display_name, "count": principals_served}
        )


@transaction.atomic
def user_deactivate(*, actor: User, user: User, hand_over_to: User | None = None) -> User:
    """Deactivate a user (never delete): their records stay, visible up the line.

    With `hand_over_to`, each registered handover (customers, …) moves their records to
    that user in the same transaction. Their API tokens are revoked (by `user_update`).
    """
    ensure_account_admin(actor)
    if hand_over_to is not None:
        if hand_over_to.company_id != actor.company_id or not hand_over_to.is_active:
            raise ValidationFailed({"hand_over_to": [_("Choose an active user of your company.")]})
        if hand_over_to.pk == user.pk:
            raise ValidationFailed(
                {"hand_over_to": [_("Choose someone other than the user who leaves.")]}
            )
    user = user_update(actor=actor, user=user, is_active=False)
    if hand_over_to is not None:
        DEACTIVATION_HANDOVERS.run(actor=actor, from_user=user, to_user=hand_over_to)
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    return user_update(actor=actor, user=user, is_active=True)


@transaction.atomic
def user_reset_password(*, actor: User, user: User, password: str) -> User:
    """An admin boss sets a new password for a user of their company; the user's API tokens
    are revoked (their sessions end too: Django checks the password hash)."""
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    if user.company_id != actor.company_id:
        raise NotFound()
    _validate_password(password, user)
    # The way out of a username lock the lockout message names: ask your administrator.
    lockout.username_failures_reset(
        backends.axes_username(None, {"company": actor.company.code, "username": user.username})
    )
    _set_password(user, password)
    return user


@transaction.atomic
def user_change_own_password(*, user: User, old_password: str, new_password: str) -> User:
    """The user changes their own password, knowing the current one; their API tokens are
    revoked (the page keeps the session it was changed in)."""
    ensure_not_demo(user)
    ensure_can_write(user)
    if not user.check_password(old_password):
        raise ValidationFailed({"old_password": [_("The current password is not correct.")]})
    _validate_password(new_password, user)
    _set_password(user, new_password)
    return user
