"""An organisation's members: its admins invite people by email and set their roles; an invited person accepts
with the account that has the invited email, or makes one. The rules are referrals.services.memberships'."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from referrals.models import MemberRole, Organization
from referrals.services import mail, memberships
from web.forms import NewAccountForm
from web.views import viewer_of
from web.workspace import one_write


class InviteForm(forms.Form):
    """Whom to invite, and as what."""

    email = forms.EmailField(label=gettext_lazy("Email of the person to invite"), max_length=254)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[
            (MemberRole.EDITOR.value, gettext_lazy("Editor: keeps the listings")),
            (MemberRole.ADMIN.value, gettext_lazy("Admin: also manages members and confirms listings")),
        ],
    )


def _administered(request, org_id):
    """An organisation the person administers (moderators: any), else a 404."""
    viewer = viewer_of(request)
    organization = Organization.objects.filter(pk=org_id).first()
    if organization is None or not viewer.can_administer_organization(organization.pk):
        raise Http404(_("No such organisation among yours."))
    return organization


def _page(request, organization, form=None, status=200):
    pending = organization.invitations.filter(
        accepted_at__isnull=True,
        withdrawn_at__isnull=True,
        created__gte=timezone.now() - timedelta(days=settings.INVITATION_DAYS),
    )
    context = {
        "organization": organization,
        "members": organization.memberships.select_related("user").order_by("user__username"),
        "pending": pending,
        "form": form or InviteForm(),
        "roles": [(MemberRole.EDITOR.value, _("Editor")), (MemberRole.ADMIN.value, _("Admin"))],
        "invitation_days": settings.INVITATION_DAYS,
    }
    return render(request, "web/members.html", context, status=status)


@login_required(login_url="web:sign-in")
@require_http_methods(["GET", "POST"])
@one_write
def members(request, org_id):
    """The members and pending invitations; invite someone by email."""
    organization = _administered(request, org_id)
    if request.method != "POST":
        return _page(request, organization)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _page(request, organization, form, status=400)
    try:
        memberships.may_add_members(organization, viewer_of(request))
        memberships.invite(
            organization,
            form.cleaned_data["email"],
            form.cleaned_data["role"],
            request.user,
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
        return _page(request, organization, form, status=400)
    messages.success(request, _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("web:members", org_id=organization.pk)


@login_required(login_url="web:sign-in")
@require_POST
@one_write
def change_member(request, org_id, user_id):
    """Change a member's role, or take them out of the organisation; or withdraw an invitation."""
    organization = _administered(request, org_id)
    if user_id >= 2**31:  # no such id (and more than the database's integers hold)
        raise Http404(_("No such member."))
    membership = organization.memberships.select_related("user").filter(user_id=user_id).first()
    if membership is None:
        raise Http404(_("No such member."))
    try:
        if request.POST.get("action") == "remove":
            memberships.remove(membership)
            messages.success(request, _("%(name)s is no longer a member.") % {"name": membership.user.get_username()})
        else:
            memberships.change_role(membership, request.POST.get("role", ""))
            messages.success(request, _("Saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _page(request, organization, status=400)
    return redirect("web:members", org_id=organization.pk)


@login_required(login_url="web:sign-in")
@require_POST
@one_write
def withdraw_invitation(request, org_id, invitation_id):
    """Take back an invitation not yet accepted."""
    organization = _administered(request, org_id)
    invitation = organization.invitations.filter(pk=invitation_id, accepted_at__isnull=True).first()
    if invitation is None:
        raise Http404(_("No such invitation."))
    memberships.withdraw(invitation)
    messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect("web:members", org_id=organization.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@one_write
def invitation(request, token):
    """Accept an invitation: signed in with the invited email, or with a new account made here for it."""
    try:
        invite = memberships.invitation_of(token)
    except memberships.InvitationUnusable as unusable:
        return render(request, "web/error.html", {"title": _("Invitation"), "message": unusable.reason}, status=400)
    context = {"invitation": invite, "role": memberships.role_name(invite.role)}
    user = request.user if request.user.is_authenticated else None
    form = None if user else NewAccountForm(request.POST or None, email=invite.email)
    context["form"] = form
    if request.method != "POST":
        return render(request, "web/invitation.html", context)
    if user is None:
        if not form.is_valid():
            return render(request, "web/invitation.html", context, status=400)
        taken = get_user_model().objects.filter(username__iexact=form.cleaned_data["username"]).exists()
        if not taken:
            try:
                with transaction.atomic():
                    user = get_user_model().objects.create_user(
                        username=form.cleaned_data["username"],
                        email=invite.email,
                        password=form.cleaned_data["password"],
                    )
            except IntegrityError:  # the same name registered a moment ago
                taken = True
        if taken:
            form.add_error("username", _("This username is taken: choose another, or sign in if it is yours."))
            return render(request, "web/invitation.html", context, status=400)
    try:
        memberships.accept(invite, user)
    except memberships.InvitationUnusable as unusable:
        context["problem"] = unusable.reason
        return render(request, "web/invitation.html", context, status=400)
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        mail.remember_language(user, get_language())
    messages.success(request, _("Welcome: you keep the listings of %(name)s.") % {"name": invite.organization.name})
    return redirect("web:my-listings")
