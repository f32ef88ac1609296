from django.contrib import admin

from activities.common.admin import PhotoInline
from activities.events.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    ActivitySeries,
    Attendance,
    Consultation,
    ConsultationPhoto,
    Problem,
)


@admin.register(ActivityKind)
class ActivityKindAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "active", "council"]
    list_editable = ["order", "active"]
    list_filter = ["active", "council"]


@admin.register(ActivitySeries)
class ActivitySeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "council"]
    search_fields = ["name"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    raw_id_fields = ["member", "marked_by"]
    extra = 0


class ActivityPhotoInline(PhotoInline):
    model = ActivityPhoto


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "title", "kind", "channel", "platform", "state", "council"]
    list_filter = ["state", "channel", "council"]
    search_fields = ["title", "summary"]
    date_hierarchy = "starts_at"
    list_select_related = ["kind", "platform", "council"]
    # Named constituents by raw id: a council may have hundreds of thousands.
    raw_id_fields = ["platform", "committee", "series", "kind", "created_by", "constituents"]
    filter_horizontal = ["sectors"]
    readonly_fields = ["created_at"]
    inlines = [AttendanceInline, ActivityPhotoInline]
    show_full_result_count = False


class ProblemInline(admin.StackedInline):
    model = Problem
    extra = 0
    raw_id_fields = ["proposal"]


class ConsultationPhotoInline(PhotoInline):
    model = ConsultationPhoto


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["held_on", "topic", "platform", "council"]
    list_filter = ["council"]
    search_fields = ["topic", "minutes"]
    date_hierarchy = "held_on"
    list_select_related = ["platform", "council"]
    raw_id_fields = ["platform", "members", "proposal", "created_by"]
    inlines = [ProblemInline, ConsultationPhotoInline]
    show_full_result_count = False


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["description", "consultation", "state", "responsible_unit", "resolved_on"]
    list_filter = ["state"]
    search_fields = ["description", "responsible_unit"]
    list_select_related = ["consultation"]
    raw_id_fields = ["consultation", "proposal"]
    show_full_result_count = False
