from members.views.duties import *  # noqa: F403
from members.views.lookups import *  # noqa: F403
from members.views.member_pages import *  # noqa: F403
from members.views.staff_excel import *  # noqa: F403
from members.views.staff_pages import *  # noqa: F403
