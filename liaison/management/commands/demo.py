from django.core.management.base import BaseCommand

from liaison import demo


class Command(BaseCommand):
    help = "Load the demo council (idempotent: a second run changes nothing) and print the logins."

    def handle(self, *args, **options):
        demo.build()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready"))
        self.stdout.write(f"登录 http://127.0.0.1:8000  （密码 / password: {demo.DEMO_PASSWORD}）")
        for username, who in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {who}")
