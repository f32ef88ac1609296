from django.urls import path

from activities.contacts import views as contacts
from activities.events.views import activities as events
from activities.events.views import consultations
from activities.reminders import views as reminder_views
from activities.tags import views as tags

app_name = "activities"

urlpatterns = [
    # Contact logs, member side (phone first); staff and leaders read a log's page too.
    path("contacts/new/", contacts.contactlog_create, name="contactlog-create"),
    path("contacts/mine/", contacts.contactlog_mine, name="my-contactlogs"),
    path("contacts/sync/", contacts.contactlog_sync, name="contactlog-sync"),
    path("contacts/<int:pk>/", contacts.contactlog_detail, name="contactlog-detail"),
    path("contacts/<int:pk>/edit/", contacts.contactlog_edit, name="contactlog-edit"),
    # Contact logs, staff side: the council's list and its Excel export.
    path("contacts/all/", contacts.contactlog_list, name="contactlog-list"),
    path("contacts/all/export/", contacts.contactlog_export, name="contactlog-export"),
    # Activities (staff and leaders read; staff change).
    path("events/", events.activity_list, name="activity-list"),
    path("events/calendar/", events.activity_calendar, name="activity-calendar"),
    path("events/export.xlsx", events.activity_export, name="activity-export"),
    path("events/new/", events.activity_create, name="activity-create"),
    path("events/kinds/", events.activity_kinds, name="activity-kinds"),
    path("events/<int:pk>/", events.activity_detail, name="activity-detail"),
    path("events/<int:pk>/edit/", events.activity_edit, name="activity-edit"),
    path("events/lookup/constituents/", events.activity_constituent_lookup,
         name="activity-constituent-lookup"),
    path("events/<int:pk>/attendance/", events.activity_attendance, name="activity-attendance"),
    # Activities for members: sign up, withdraw, what I attended.
    path("events/upcoming/", events.activity_upcoming, name="activity-upcoming"),
    path("events/mine/", events.activity_mine, name="activity-mine"),
    path("events/<int:pk>/sign-up/", events.activity_sign_up, name="activity-sign-up"),
    path("events/<int:pk>/withdraw/", events.activity_sign_up_cancel, name="activity-sign-up-cancel"),
    # Consultations and their problems.
    path("consultations/", consultations.consultation_list, name="consultation-list"),
    path("consultations/export.xlsx", consultations.consultation_export, name="consultation-export"),
    path("consultations/new/", consultations.consultation_create, name="consultation-create"),
    path("consultations/<int:pk>/", consultations.consultation_detail, name="consultation-detail"),
    path("consultations/<int:pk>/edit/", consultations.consultation_edit, name="consultation-edit"),
    path("consultations/<int:pk>/problems/", consultations.problem_create, name="problem-create"),
    path("consultations/<int:pk>/proposal/", consultations.consultation_link_proposal, name="consultation-link-proposal"),
    path("problems/", consultations.problem_board, name="problem-board"),
    path("problems/all/", consultations.problem_list, name="problem-list"),
    path("problems/<int:pk>/state/", consultations.problem_set_state, name="problem-set-state"),
    path("problems/<int:pk>/proposal/", consultations.problem_link_proposal, name="problem-link-proposal"),
    path("platforms/<int:pk>/events/", consultations.platform_events, name="platform-events"),
    # The council's "四联四助" tags (staff keep the list).
    path("tags/", tags.tag_list, name="tag-list"),
    # Must-visit reminders: the member's list, staff compliance, rules and campaigns.
    path("reminders/", reminder_views.reminder_list, name="reminder-list"),
    path("reminders/<int:pk>/dismiss/", reminder_views.reminder_dismiss, name="reminder-dismiss"),
    path("reminders/compliance/", reminder_views.compliance, name="compliance"),
    path("reminders/rules/", reminder_views.rule_list, name="rule-list"),
    path("reminders/rules/new/", reminder_views.rule_create, name="rule-create"),
    path("reminders/rules/<int:pk>/", reminder_views.rule_edit, name="rule-edit"),
    path("reminders/rules/<int:pk>/toggle/", reminder_views.rule_toggle, name="rule-toggle"),
    path("reminders/campaigns/", reminder_views.campaign_list, name="campaign-list"),
    path("reminders/campaigns/new/", reminder_views.campaign_create, name="campaign-create"),
]
