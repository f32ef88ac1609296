from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from liaison import demo


class Command(BaseCommand):
    help = "Load the demo council (idempotent: a second run changes nothing) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000",
                            help="the address the logins are printed with (make run passes its port)")

    def handle(self, *args, **options):
        # The demo's history sends notices as it goes; their e-mails go nowhere rather than
        # flooding the console of `make run`.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            demo.build()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))
        self.stdout.write(f"登录 {options['url']}  （密码 / password: {demo.DEMO_PASSWORD}）")
        for username, who in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {who}")
