"""Generate the province database (benchmark data, not a test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_province \\
        .venv/bin/python bench/province/generate.py [--scale 0.3] [--today YYYY-MM-DD]

Drops and recreates the database named by ``DATABASE_URL``, runs ``migrate``, then fills it:
1 province council → 2 city councils → 8 district councils, and at ``--scale 1`` 20,000
members, 1,000,000 constituents, 5,000,000 contact logs over the two years up to today (with
their constituent links), 20,000 proposals over four sessions in every state, a few thousand
activities and consultations, the bench logins (``bench/README.md``). The reminder table is
left empty: the sweep makes the reminders (``bench/province/measure.py`` times it).

- The small per-council setup (councils, sectors, committees, sessions, categories, handling
  units, platforms, activity kinds, the logins) goes through the portal's own services and
  models — ``council_create`` raises ``council_added``, which installs the default
  must-visit rules, as for any council.
- The bulk goes in SQL, ``INSERT … SELECT`` over ``generate_series``. Randomness is a hash of
  the row number and a salt (``pg_temp.u``), so two runs for the same ``--today`` give the
  same rows. Rows get explicit ids (a fresh database), so the links between them are
  arithmetic, not lookups. While the big tables load, their secondary indexes are dropped
  and rebuilt afterwards, and the foreign-key triggers are off
  (``session_replication_role = replica``): the rows are consistent by construction, and a
  check at the end counts orphans.
- The derived data come from the portal's own commands: every management command with
  "rollup" in its name (``rollups_rebuild`` …), then ``VACUUM ANALYZE``.

Prints the time of every step and the load average; when done (on ``liaison_province``)
touches ``/tmp/province-ready``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
# The laptop defaults (DEBUG off would want a production SECRET_KEY); nothing is served.
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

import environ  # noqa: E402
import psycopg  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from activities.events.services.activities import activity_kinds_ensure  # noqa: E402
from activities.models import ActivitySeries, Campaign, MustVisitRule  # noqa: E402
from activities.partitions import partitions_ensure  # noqa: E402
from liaison.demo.members import GIVEN, OCCUPATIONS, SURNAMES  # noqa: E402
from members import phone_rows  # noqa: E402
from members import services as member_services  # noqa: E402
from members.models import Committee, Council, Platform, Sector, User  # noqa: E402
from proposals.models import Category, HandlingUnit, Session  # noqa: E402
from proposals.models.reference import DEFAULT_CATEGORIES  # noqa: E402

PASSWORD = "bench-1158"
READY_FILE = Path("/tmp/province-ready")

# --- Sizes at --scale 1 -----------------------------------------------------------------
MEMBERS = 20_000
CONSTITUENTS = 1_000_000
CONTACT_LOGS = 5_000_000
PROPOSALS = 20_000
ACTIVITIES = 3_000
CONSULTATIONS = 1_000
DAYS = 730  # the contact logs cover the two years up to today

# The councils: (code, name, short name, level, parent code, share of the members).
COUNCILS = [
    ("p", "东川省政协", "东川省", Council.Level.PROVINCE, None, 0.06),
    ("c1", "临江市政协", "临江市", Council.Level.CITY, "p", 0.07),
    ("c2", "北山市政协", "北山市", Council.Level.CITY, "p", 0.07),
    ("d1", "临江市东城区政协", "东城区", Council.Level.DISTRICT, "c1", 0.10),
    ("d2", "临江市西城区政协", "西城区", Council.Level.DISTRICT, "c1", 0.10),
    ("d3", "临江市江南区政协", "江南区", Council.Level.DISTRICT, "c1", 0.10),
    ("d4", "临江市青山县政协", "青山县", Council.Level.DISTRICT, "c1", 0.10),
    ("d5", "北山市中山区政协", "中山区", Council.Level.DISTRICT, "c2", 0.10),
    ("d6", "北山市河东区政协", "河东区", Council.Level.DISTRICT, "c2", 0.10),
    ("d7", "北山市龙湖区政协", "龙湖区", Council.Level.DISTRICT, "c2", 0.10),
    ("d8", "北山市石门县政协", "石门县", Council.Level.DISTRICT, "c2", 0.10),
]

# 30 sectors (界别) a council: (name, kind, key sector).
SECTORS = [
    ("中国共产党", "party", False), ("民革", "party", False), ("民盟", "party", False),
    ("民建", "party", False), ("民进", "party", False), ("农工党", "party", False),
    ("致公党", "party", False), ("九三学社", "party", False), ("台盟", "party", False),
    ("无党派人士", "party", False), ("共青团", "organisation", False),
    ("工会", "organisation", False), ("妇联", "organisation", False),
    ("青联", "organisation", False), ("工商联", "organisation", True),
    ("科协", "organisation", False), ("台联", "organisation", False),
    ("侨联", "organisation", False), ("文化艺术界", "sector", False),
    ("科学技术界", "sector", True), ("社会科学界", "sector", False),
    ("经济界", "sector", True), ("农业界", "sector", True), ("教育界", "sector", True),
    ("体育界", "sector", False), ("新闻出版界", "sector", False),
    ("医药卫生界", "sector", True), ("社会福利和社会保障界", "sector", False),
    ("少数民族界", "sector", False), ("特邀", "invited", False),
]
COMMITTEES = ["提案委", "经济委", "农业和农村委", "人口资源环境委", "教科卫体委",
              "社会和法制委", "民族宗教委", "文化文史和学习委"]
SESSIONS = 4  # 十届一次 … 十届四次 (current)
UNITS = ["发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局",
         "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局",
         "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局",
         "文化广电和旅游局", "卫生健康委员会", "应急管理局", "市场监督管理局"]
PLATFORMS = [("liaison_point", 2, "界别委员联系点"), ("studio", 8, "委员工作室"),
             ("workstation", 12, "委员工作站")]
STREETS = ["东风街道", "解放街道", "人民街道", "建设街道", "和平街道", "胜利街道", "新华街道",
           "幸福街道", "光明街道", "朝阳街道", "长安街道", "红星街道"]
UNITS_OF_PEOPLE = ["人民医院", "第一中学", "实验小学", "农机合作社", "市场服务中心", "商贸公司",
                   "律师事务所", "文化馆", "科技服务中心", "社区卫生服务站", "个体工商户",
                   "家庭农场", "养老服务中心", "物流公司", "制造有限公司", "街道办事处"]
SUMMARIES = ["走访了解家庭生产生活情况", "电话询问近期困难和诉求", "宣讲惠民政策",
             "听取对社区治理的意见建议", "了解企业经营和用工情况", "座谈交流行业发展问题",
             "送医送药上门", "组织读书分享", "线上答疑解惑", "协助办理社保事项",
             "了解子女入学问题", "反映道路维修诉求", "了解农产品销售情况",
             "传达全会精神", "征求对提案的意见", "了解老旧小区改造进展"]
OPINIONS = ["建议增加社区养老服务设施", "希望简化企业办事流程", "反映公交线路不便",
            "建议加强食品安全监管", "希望增加托育服务", "建议改善农村道路",
            "反映医保报销手续繁琐", "建议加大对小微企业扶持力度"]
TOPICS = ["优化营商环境", "推进乡村振兴", "加强基层医疗服务", "发展职业教育",
          "完善养老服务体系", "推动老旧小区改造", "加强生态环境保护", "促进数字经济发展",
          "保障农民工权益", "加强未成年人保护", "提升城市交通治理", "推进垃圾分类",
          "支持民营企业发展", "加强非遗保护传承", "推动文旅融合发展", "完善社区治理",
          "加强食品药品安全", "推进智慧城市建设", "发展现代农业", "完善公共文化服务"]


def say(text: str) -> None:
    print(text, flush=True)


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


@contextmanager
def step(name: str):
    """Print a step's name, then its wall time and the load average."""
    say(f"… {name}")
    started = time.perf_counter()
    yield
    say(f"  {time.perf_counter() - started:7.1f} s  {name}  ({load()})")


def sql(statement: str, params: dict | None = None) -> int:
    """Run one statement on the Django connection; the number of rows it touched. Always
    with parameters, so a modulo is written ``%%`` in every statement."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})
        return cursor.rowcount


def scalar(statement: str, params: dict | None = None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


# --- The database itself ------------------------------------------------------------------


def recreate_database(force: bool) -> str:
    """Drop and create the database of ``DATABASE_URL`` (through the ``postgres`` database)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_province")
    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    dsn = {"host": config.get("HOST") or None, "port": config.get("PORT") or None,
           "user": config.get("USER") or None, "password": config.get("PASSWORD") or None,
           "dbname": "postgres"}
    with psycopg.connect(**{k: v for k, v in dsn.items() if v}, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"' + (" WITH (FORCE)" if force else ""))
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def helpers(today: date) -> None:
    """Session-local SQL helpers (``pg_temp``: gone with the connection) and settings for
    the bulk load."""
    sql("SET work_mem = '256MB'")
    sql("SET maintenance_work_mem = '1GB'")
    sql("SET synchronous_commit = off")
    # u(k, salt): a uniform number in [0, 1) from the hash of k — the same for the same k.
    sql("""
        CREATE FUNCTION pg_temp.u(k bigint, salt int) RETURNS float8
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT ((hashint8extended(k, salt::bigint) >> 11) & 9007199254740991)::float8
                  / 9007199254740992.0 $$
    """)
    # pick(k, salt, n): an integer in [0, n).
    sql("""
        CREATE FUNCTION pg_temp.pick(k bigint, salt int, n bigint) RETURNS bigint
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT floor(pg_temp.u(k, salt) * n)::bigint $$
    """)
    # one(items, k, salt): one item of an array.
    sql("""
        CREATE FUNCTION pg_temp.one(items text[], k bigint, salt int) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT items[1 + pg_temp.pick(k, salt, cardinality(items))] $$
    """)
    # person(k, salt): a Chinese name — a surname and one or two given characters.
    sql("""
        CREATE FUNCTION pg_temp.person(k bigint, salt int, surnames text, given text)
        RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT substr(surnames, 1 + pg_temp.pick(k, salt, char_length(surnames))::int, 1)
               || substr(given, 1 + pg_temp.pick(k, salt + 1, char_length(given))::int, 1)
               || CASE WHEN pg_temp.u(k, salt + 2) < 0.6
                       THEN substr(given, 1 + pg_temp.pick(k, salt + 3, char_length(given))::int, 1)
                       ELSE '' END $$
    """)
    # at(day, hour): a local (Asia/Shanghai) day and hour as a timestamptz.
    sql("""
        CREATE FUNCTION pg_temp.at(day date, hours float8) RETURNS timestamptz
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
        $$ SELECT (day::timestamp AT TIME ZONE 'Asia/Shanghai') + hours * interval '1 hour' $$
    """)
    sql("CREATE TEMP TABLE bench_today AS SELECT %(today)s::date AS today", {"today": today})


def require_columns(table: str, columns: list[str]) -> None:
    """Stop with a clear message if ``table`` has a NOT NULL column without a default that
    the generator does not fill (someone added one since this was written)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
            [table],
        )
        missing = sorted({r[0] for r in cursor.fetchall()} - set(columns))
    if missing:
        sys.exit(f"{table} has NOT NULL columns the generator does not fill: {missing}. "
                 "Add them to bench/province/generate.py.")


@contextmanager
def indexes_deferred(*tables: str):
    """Drop the secondary indexes and unique constraints of ``tables`` (the primary keys
    stay), run the block, build them again: one sort per index instead of millions of
    random inserts."""
    saved = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                """
                SELECT ic.relname, pg_get_indexdef(i.indexrelid), con.conname,
                       pg_get_constraintdef(con.oid)
                FROM pg_index i
                JOIN pg_class ic ON ic.oid = i.indexrelid
                LEFT JOIN pg_constraint con
                       ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                      AND con.contype IN ('u', 'x')
                WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                """,
                [table],
            )
            for index, index_def, constraint, constraint_def in cursor.fetchall():
                if constraint:
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                    saved.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_def}')
                else:
                    cursor.execute(f'DROP INDEX "{index}"')
                    # A partitioned table's index reads "ON ONLY t": made again on every
                    # partition, not on the parent alone.
                    saved.append(index_def.replace(" ON ONLY ", " ON ", 1))
    yield
    with step(f"rebuilding {len(saved)} indexes of {', '.join(tables)}"), connection.cursor() as cursor:
        for statement in saved:
            cursor.execute(statement)


def set_sequences() -> None:
    """After inserts with explicit ids: every id sequence past the largest id."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, a.attname FROM pg_class c
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            WHERE c.relkind IN ('r', 'p') AND pg_get_serial_sequence(c.relname, a.attname) IS NOT NULL
            """
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f'coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)',
                [table, column],
            )


# --- 1. The councils and their small reference data (the portal's services) ---------------


def setup_councils(today: date, password_hash: str) -> list[dict]:
    """The 11 councils, each with its sectors, committees, sessions, proposal categories,
    handling units, platforms, activity kinds and series, and the staff, leader and unit
    logins. Returns one dict a council: code, ids, member share."""
    councils = []
    by_code: dict[str, Council] = {}
    current_opened = date(today.year if today >= date(today.year, 3, 1) else today.year - 1, 1, 10)
    with transaction.atomic():
        for code, name, short, level, parent, share in COUNCILS:
            council = member_services.council_create(
                by=None, name=name, short_name=short, level=level, parent=by_code.get(parent)
            )
            by_code[code] = council
            sectors = Sector.objects.bulk_create(
                Sector(council=council, name=n, kind=kind, is_key=key, order=i)
                for i, (n, kind, key) in enumerate(SECTORS)
            )
            committees = Committee.objects.bulk_create(
                Committee(council=council, name=n, order=i) for i, n in enumerate(COMMITTEES)
            )
            sessions = [
                Session.objects.create(
                    council=council, term=10, number=n, name=f"十届{'一二三四五'[n - 1]}次",
                    opened_on=current_opened.replace(year=current_opened.year - (SESSIONS - n)),
                    closes_on=current_opened.replace(year=current_opened.year - (SESSIONS - n))
                    + timedelta(days=3),
                    is_current=n == SESSIONS,
                )
                for n in range(1, SESSIONS + 1)
            ]
            categories = Category.objects.bulk_create(
                Category(council=council, name=n, order=i) for i, n in enumerate(DEFAULT_CATEGORIES)
            )
            units = HandlingUnit.objects.bulk_create(
                HandlingUnit(council=council, name=f"{short}{n}", order=i) for i, n in enumerate(UNITS)
            )
            platforms = []
            for kind, count, label in PLATFORMS:
                for n in range(count):
                    platforms.append(Platform(
                        council=council, kind=kind, name=f"{short}{STREETS[n % len(STREETS)]}{label}{n + 1}",
                        host_committee=committees[n % len(committees)],
                        address=f"{short}{STREETS[n % len(STREETS)]}{n + 1}号",
                        opened_on=date(2023, 1 + n % 12, 1), tags="联系群众,服务群众",
                    ))
            platforms = Platform.objects.bulk_create(platforms)
            for n, platform in enumerate(platforms):
                platform.sectors.set([sectors[n % len(sectors)], sectors[(n + 7) % len(sectors)]])
            kinds = activity_kinds_ensure(council=council)
            for n in range(3):
                ActivitySeries.objects.create(council=council, name=f"{short}“1158”工作法系列活动{n + 1}")

            def login(username, role, display, committee=None, council=council):
                return User.objects.create(
                    username=username, password=password_hash, role=role, council=council,
                    display_name=display, committee=committee,
                )

            staff = [login(f"staff-{code}", "staff", f"{short}政协工作人员")]
            staff += [login(f"staff-{code}-{n}", "staff", f"{short}政协工作人员{n}") for n in (2, 3)]
            staff.append(login(f"staff-{code}-committee", "staff", f"{short}提案委工作人员",
                               committee=committees[0]))
            leaders = [login(f"leader-{code}", "leader", f"{short}政协主席"),
                       login(f"leader-{code}-2", "leader", f"{short}政协副主席")]
            unit_user = login(f"unit-{code}", "unit", f"{short}{UNITS[1]}提案办理员")
            units[1].users.add(unit_user)
            councils.append({
                "code": code, "id": council.pk, "share": share,
                "sectors": [s.pk for s in sectors], "committees": [c.pk for c in committees],
                "sessions": [s.pk for s in sessions], "categories": [c.pk for c in categories],
                "units": [u.pk for u in units], "platforms": [p.pk for p in platforms],
                "kinds": [k.pk for k in kinds], "staff": staff[0].pk,
                "unit_user": unit_user.pk, "leaders": [u.pk for u in leaders],
            })
        admin = User.objects.create(
            username="bench-admin", password=password_hash, role="admin",
            council=by_code["p"], display_name="基准测试超级管理员", is_superuser=True, is_staff=True,
        )
        assert admin.pk
    return councils


def stage_councils(councils: list[dict], scale: float) -> dict:
    """Small lookup tables (dropped at the end) that the bulk statements join: per council its
    member range and counts, and the k-th sector, committee, platform, unit, category."""
    members = round(MEMBERS * scale)
    sql("""
        CREATE UNLOGGED TABLE bench_council (
            k int PRIMARY KEY, council_id bigint, m_lo bigint, m_n bigint,
            staff_id bigint, unit_user_id bigint, sessions bigint[], level text)
    """)
    sql("CREATE UNLOGGED TABLE bench_ref (council_id bigint, kind text, k int, ref_id bigint, "
        "PRIMARY KEY (council_id, kind, k))")
    lo = 0
    for k, council in enumerate(councils):
        n = round(members * council["share"]) if k < len(councils) - 1 else members - lo
        council["m_lo"], council["m_n"] = lo, n
        sql("INSERT INTO bench_council VALUES (%(k)s, %(id)s, %(lo)s, %(n)s, %(staff)s, "
            "%(unit)s, %(sessions)s, %(level)s)",
            {"k": k, "id": council["id"], "lo": lo, "n": n, "staff": council["staff"],
             "unit": council["unit_user"], "sessions": council["sessions"],
             "level": str(COUNCILS[k][3].value)})
        for kind in ("sectors", "committees", "platforms", "units", "categories", "kinds"):
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO bench_ref VALUES (%s, %s, %s, %s)",
                    [(council["id"], kind, i, ref) for i, ref in enumerate(council[kind])],
                )
        lo += n
    sql("ANALYZE bench_council")
    sql("ANALYZE bench_ref")
    return {"members": members}


# --- 2. Members and their logins ----------------------------------------------------------


def stage_members(scale: float) -> None:
    """``bench_member``: member i (0-based; member and user id i + 1) with its council,
    sector, committee, platform, whether serving, and its share of the constituents.

    - 3 % have left (inactive); most of those have no responsibility zone.
    - 2 % of the serving members keep no constituent yet: the "两个1" gaps.
    - The others keep 0.25–2.75 shares; their rosters are consecutive ranges of constituent
      numbers (``rn_lo`` …), laid out in a hashed order of the members so that busy and
      quiet members mix across councils.
    """
    constituents = round(CONSTITUENTS * scale)
    sql("""
        CREATE UNLOGGED TABLE bench_member AS
        WITH m AS (
            SELECT g AS i, c.council_id, c.m_lo, c.m_n,
                   pg_temp.pick(g, 11, 30) AS sector_k,
                   pg_temp.u(g, 12) >= 0.03 AS serving,
                   pg_temp.u(g, 13) < 0.02 AS no_roster,
                   pg_temp.pick(g, 16, 22) AS platform_k
            FROM generate_series(0, (SELECT sum(m_n) FROM bench_council)::bigint - 1) g
            JOIN bench_council c ON g >= c.m_lo AND g < c.m_lo + c.m_n
        ), w AS (
            SELECT m.*, CASE WHEN m.serving AND m.no_roster THEN 0::numeric
                             ELSE round((0.25 + 2.5 * pg_temp.u(m.i, 14) ^ 2)::numeric, 6) END AS w,
                   hashint8extended(m.i, 15) AS shuffle
            FROM m
        ), cum AS (
            SELECT w.*, sum(w.w) OVER (ORDER BY w.shuffle, w.i) AS cw, sum(w.w) OVER () AS total
            FROM w
        )
        SELECT cum.i, cum.i + 1 AS id, cum.i + 1 + %(users)s AS user_id, cum.council_id, cum.serving,
               s.ref_id AS sector_id, cum.sector_k,
               CASE WHEN pg_temp.u(cum.i, 17) < 0.1 THEN NULL ELSE cm.ref_id END AS committee_id,
               p.ref_id AS platform_id,
               floor(%(c)s * (cum.cw - cum.w) / cum.total)::bigint AS rn_lo,
               (floor(%(c)s * cum.cw / cum.total) - floor(%(c)s * (cum.cw - cum.w) / cum.total))::bigint AS n_const
        FROM cum
        JOIN bench_ref s ON s.council_id = cum.council_id AND s.kind = 'sectors' AND s.k = cum.sector_k
        JOIN bench_ref cm ON cm.council_id = cum.council_id AND cm.kind = 'committees'
                         AND cm.k = cum.sector_k %% 8
        JOIN bench_ref p ON p.council_id = cum.council_id AND p.kind = 'platforms' AND p.k = cum.platform_k
    """, {"c": constituents, "users": scalar("SELECT max(id) FROM members_user")})
    sql("ALTER TABLE bench_member ADD PRIMARY KEY (i)")
    sql("ANALYZE bench_member")


def insert_members(password_hash: str, today: date) -> None:
    """The member logins (``m<i>``, password ``bench-1158``), the members, their platforms."""
    user_columns = ["id", "password", "last_login", "is_superuser", "username", "first_name",
                    "last_name", "email", "is_staff", "is_active", "date_joined", "display_name",
                    "role", "council_id", "language", "committee_id", "must_change_password",
                    "unread_notices"]
    require_columns("members_user", user_columns)
    sql(f"""
        INSERT INTO members_user ({", ".join(user_columns)})
        SELECT m.user_id, %(hash)s, NULL, false, 'm' || m.i, '', '', '', false, true,
               pg_temp.at(%(today)s::date - 800, 9), pg_temp.person(m.i, 100, %(s)s, %(g)s) || '委员',
               'member', m.council_id, 'zh-hans', NULL, false,
               0  -- the generator sends no notices
        FROM bench_member m ORDER BY m.i
    """, {"hash": password_hash, "today": today, "s": SURNAMES, "g": GIVEN})
    member_columns = ["id", "user_id", "council_id", "name", "gender", "sector_id", "committee_id",
                      "term", "status", "phone", "unit", "title", "zone", "created_at",
                      "active_constituents"]
    require_columns("members_member", member_columns)
    sql(f"""
        INSERT INTO members_member ({", ".join(member_columns)})
        SELECT m.id, m.user_id, m.council_id, pg_temp.person(m.i, 100, %(s)s, %(g)s),
               CASE WHEN pg_temp.u(m.i, 101) < 0.55 THEN 'm' ELSE 'f' END,
               m.sector_id, m.committee_id, '第十届',
               CASE WHEN m.serving THEN 'active' ELSE 'inactive' END,
               '139' || lpad(m.i::text, 8, '0'),
               pg_temp.one(%(units)s, m.i, 102), pg_temp.one(%(titles)s, m.i, 103),
               -- a serving member always has a zone (a check constraint); most who left not
               CASE WHEN m.serving OR pg_temp.u(m.i, 104) < 0.2
                    THEN pg_temp.one(%(streets)s, m.i, 105) || '第' || (1 + pg_temp.pick(m.i, 106, 20)) || '责任区'
                    ELSE '' END,
               pg_temp.at(%(today)s::date - 800, 9),
               0  -- counted once the constituents are in (insert_constituents)
        FROM bench_member m ORDER BY m.i
    """, {"s": SURNAMES, "g": GIVEN, "units": UNITS_OF_PEOPLE, "today": today,
          "titles": ["主任", "副主任", "院长", "校长", "经理", "理事长", "律师", "医师", "教师", "董事长"],
          "streets": STREETS})
    # Every member serves on one platform of their council; its first member convenes it.
    sql("""
        INSERT INTO members_platform_members (platform_id, member_id)
        SELECT platform_id, id FROM bench_member ORDER BY id
    """)
    sql("""
        UPDATE members_platform p SET convenor_id = x.member_id
        FROM (SELECT platform_id, min(id) AS member_id FROM bench_member GROUP BY platform_id) x
        WHERE p.id = x.platform_id
    """)


# --- 3. Constituents and contact logs -----------------------------------------------------
#
# Contact log g (0-based, id g + 1) happens at a time that grows with g — so the logs lie on
# disk in time order, as a portal's own would — with density rising towards today; it
# reaches constituent number rn = C * u^1.6 (busy rosters first, in the members' shuffled
# order), and with 15 % / 5 % chance also the next one or two on the same roster. Those are
# pure functions of g, so the first and last contact of every constituent are computed from
# the same expressions before any log is written, and the constituents go in once, with
# ``last_contacted_at`` already right.

LOG_SOURCE = """
    SELECT g,
           -- the time: a fraction y of the two years, strictly growing with g, with twice the
           -- contacts a day at the end as at the start (density 1 + y: y = sqrt(1 + 3x) - 1),
           -- put between 08:00 and 20:00 local time
           pg_temp.at((SELECT today FROM bench_today) - %(days)s
                      + floor(%(days)s * t.y)::int,
                      8 + 12 * (%(days)s * t.y - floor(%(days)s * t.y))) AS contacted_at,
           floor(%(c)s * pg_temp.u(g, 32) ^ 1.6)::bigint AS rn,
           CASE WHEN pg_temp.u(g, 33) < 0.05 THEN 3 WHEN pg_temp.u(g, 33) < 0.20 THEN 2
                ELSE 1 END AS reached
    FROM generate_series(%(lo)s, %(hi)s - 1) g,
         LATERAL (SELECT sqrt(1 + 3 * (g + pg_temp.u(g, 31)) / %(l)s) - 1 AS y) t
"""


def stage_constituents(scale: float, today: date) -> None:
    """``bench_const``: constituent rn (id rn + 1) with its member, and when it was added
    (before its first contact); ``bench_contact``: its first and last contact."""
    constituents = round(CONSTITUENTS * scale)
    logs = round(CONTACT_LOGS * scale)
    sql("""
        CREATE UNLOGGED TABLE bench_const AS
        SELECT rn, m.id AS member_id, m.council_id, m.sector_id, m.platform_id, m.rn_lo, m.n_const
        FROM bench_member m, generate_series(m.rn_lo, m.rn_lo + m.n_const - 1) rn
    """)
    sql("ALTER TABLE bench_const ADD PRIMARY KEY (rn)")
    sql("ANALYZE bench_const")
    sql(f"""
        CREATE UNLOGGED TABLE bench_contact AS
        WITH logs AS ({LOG_SOURCE})
        SELECT c.rn_lo + (l.rn - c.rn_lo + v.j) %% c.n_const AS rn,
               min(l.contacted_at) AS first_at, max(l.contacted_at) AS last_at
        FROM logs l JOIN bench_const c ON c.rn = l.rn
        JOIN (VALUES (0), (1), (2)) v(j) ON v.j < least(l.reached, c.n_const)
        GROUP BY 1
    """, {"days": DAYS, "c": constituents, "l": logs, "lo": 0, "hi": logs})
    sql("ALTER TABLE bench_contact ADD PRIMARY KEY (rn)")
    sql("ANALYZE bench_contact")


def insert_constituents(today: date) -> None:
    """The constituents: 97 % active, Chinese names, phone numbers (unique; 3 % without; as
    digits here, sealed by ``seal_phones`` next), a work unit, occupation and community; added
    up to four years ago (10 % within the two years), and always before their first contact."""
    columns = ["id", "council_id", "sector_id", "member_id", "name", "phone", "unit", "occupation",
               "community", "tags", "notes", "consent_note", "active", "last_contacted_at",
               "created_at", "updated_at", "phone_hash", "phone_tail"]
    require_columns("members_constituent", columns)
    sql(f"""
        INSERT INTO members_constituent ({", ".join(columns)})
        SELECT c.rn + 1, c.council_id, c.sector_id, c.member_id,
               pg_temp.person(c.rn, 200, %(s)s, %(g)s),
               CASE WHEN pg_temp.u(c.rn, 201) < 0.03 THEN ''
                    ELSE '1' || pg_temp.one(ARRAY['35', '36', '38', '39', '58', '86'], c.rn, 202)
                         || lpad(((c.rn * 7919 + 13) %% 100000000)::text, 8, '0') END,
               pg_temp.one(%(units)s, c.rn, 203), pg_temp.one(%(jobs)s, c.rn, 204),
               pg_temp.one(%(streets)s, c.rn, 205) || (1 + pg_temp.pick(c.rn, 206, 6)) || '社区',
               '', '', '本人口头同意', pg_temp.u(c.rn, 207) >= 0.03, x.last_at, a.added, a.added,
               '', ''
        FROM bench_const c
        LEFT JOIN bench_contact x ON x.rn = c.rn
        CROSS JOIN LATERAL (
            SELECT least(
                CASE WHEN pg_temp.u(c.rn, 208) < 0.1
                     THEN pg_temp.at(%(today)s::date - pg_temp.pick(c.rn, 209, %(days)s)::int, 10)
                     ELSE pg_temp.at(%(today)s::date - %(days)s - pg_temp.pick(c.rn, 209, 700)::int, 10) END,
                x.first_at - interval '1 day') AS added
        ) a
        ORDER BY c.rn
    """, {"s": SURNAMES, "g": GIVEN, "units": UNITS_OF_PEOPLE, "jobs": OCCUPATIONS,
          "streets": STREETS, "today": today, "days": DAYS})
    # Each member's count of active constituents, as members.rollups keeps it on every write.
    sql("""
        UPDATE members_member m SET active_constituents = n.n
        FROM (SELECT member_id, count(*) AS n FROM members_constituent
              WHERE active GROUP BY member_id) n
        WHERE n.member_id = m.id
    """)


def seal_phones() -> None:
    """The phones went in as digits; the portal keeps them sealed with SM4 under PHONE_KEY
    (the laptop's key: this runs with DEBUG on) with keyed SM3 hashes for lookups. The
    portal's own routine (``members.phone_rows``, as the migration and ``rotate_phone_key``):
    batches by id, one UPDATE … FROM (VALUES …) each, the indexes still dropped."""
    for progress in phone_rows.seal_all(connection, batch_size=20000):
        say(f"  {progress.table}: {progress.written} sealed")


def insert_contact_logs(scale: float, today: date, chunks: int) -> None:
    """The contact logs and their constituent links, in ``chunks`` statements (each one log
    range: one INSERT of the logs, one of their links, from the same rows)."""
    constituents = round(CONSTITUENTS * scale)
    logs = round(CONTACT_LOGS * scale)
    columns = ["id", "council_id", "member_id", "contacted_at", "channel", "mode", "platform_id",
               "summary", "opinions", "consultation_id", "proposal_id", "difficulty",
               "difficulty_kind", "created_at"]
    require_columns("activities_contactlog", columns)
    require_columns("activities_contactlogconstituent",
                    ["id", "contact_log_id", "constituent_id", "contacted_at"])
    step_size = -(-logs // chunks)
    for lo in range(0, logs, step_size):
        hi = min(lo + step_size, logs)
        started = time.perf_counter()
        sql(f"""
            WITH src AS MATERIALIZED (
                SELECT l.*, c.member_id, c.council_id, c.platform_id AS member_platform,
                       c.rn_lo, c.n_const,
                       pg_temp.u(l.g, 34) AS mode_u, pg_temp.u(l.g, 36) AS difficulty_u
                FROM ({LOG_SOURCE}) l JOIN bench_const c ON c.rn = l.rn
            ), logs AS (
                INSERT INTO activities_contactlog ({", ".join(columns)})
                SELECT g + 1, council_id, member_id, contacted_at,
                       CASE WHEN mode_u >= 0.75 AND mode_u < 0.9 THEN 'online'
                            ELSE pg_temp.one(ARRAY['research', 'forum', 'forum', 'online',
                                                   'clinic', 'reading'], g, 35) END,
                       CASE WHEN mode_u < 0.45 THEN 'visit' WHEN mode_u < 0.75 THEN 'phone'
                            WHEN mode_u < 0.9 THEN 'online' ELSE 'platform' END,
                       CASE WHEN mode_u >= 0.9 THEN member_platform END,
                       pg_temp.one(%(summaries)s, g, 37),
                       CASE WHEN pg_temp.u(g, 38) < 0.3 THEN pg_temp.one(%(opinions)s, g, 39)
                            ELSE '' END,
                       NULL, NULL,
                       difficulty_u < 0.03,
                       CASE WHEN difficulty_u < 0.03
                            THEN pg_temp.one(ARRAY['illness', 'hardship', 'enterprise', 'other'], g, 40)
                            ELSE '' END,
                       least(contacted_at + pg_temp.u(g, 41) * interval '36 hours',
                             pg_temp.at(%(today)s::date, 0))
                FROM src ORDER BY g
            )
            INSERT INTO activities_contactlogconstituent (contact_log_id, constituent_id,
                                                          contacted_at)
            SELECT s.g + 1, s.rn_lo + (s.rn - s.rn_lo + v.j) %% s.n_const + 1, s.contacted_at
            FROM src s JOIN (VALUES (0), (1), (2)) v(j) ON v.j < least(s.reached, s.n_const)
            ORDER BY s.g, v.j
        """, {"days": DAYS, "c": constituents, "l": logs, "lo": lo, "hi": hi, "today": today,
              "summaries": SUMMARIES, "opinions": OPINIONS})
        say(f"    logs {lo:>9,}–{hi:>9,}: {time.perf_counter() - started:5.1f} s ({load()})")


LOG_TAGS_SQL = """
    WITH tags AS (
        SELECT council_id, array_agg(id ORDER BY "order", id) AS ids
        FROM activities_linktag GROUP BY council_id
    )
    INSERT INTO activities_contactlogtag (contact_log_id, tag_id, contacted_at)
    SELECT l.id, t.ids[1 + (pg_temp.pick(l.id, 60, cardinality(t.ids)) + v.j * 3) %% cardinality(t.ids)],
           l.contacted_at
    FROM activities_contactlog l
    JOIN tags t ON t.council_id = l.council_id
    JOIN (VALUES (0), (1)) v(j)
      ON pg_temp.u(l.id, 61) < 0.7 AND (v.j = 0 OR pg_temp.u(l.id, 62) < 0.4)
    ORDER BY l.id, v.j
"""


def insert_log_tags() -> None:
    """The "四联四助" tags of the logs: 70 % of the logs name one of their council's tags, 40 %
    of those a second one (about 4.9 million tag rows for 5 million logs)."""
    require_columns("activities_contactlogtag", ["contact_log_id", "tag_id", "contacted_at"])
    sql(LOG_TAGS_SQL)


# --- 4. Proposals -------------------------------------------------------------------------


def insert_proposals(scale: float, today: date) -> None:
    """Proposals over the four sessions, per council in proportion to its members: the
    earlier sessions mostly closed (some not filed, merged, still awaiting a rating), the
    current one in every state. Filed ones are numbered within their session; the handled
    ones have their lead (and some a co-handling) unit, the replied ones a reply, the closed
    ones a rating; 30 % of the members' proposals have two co-signers; 30 % of the proposals
    name the contact log whose opinion they grew from."""
    total = round(PROPOSALS * scale)
    sql("""
        CREATE UNLOGGED TABLE bench_proposal AS
        WITH p AS (
            SELECT g AS p, c.*, pg_temp.u(g, 41) AS session_u, pg_temp.u(g, 42) AS state_u,
                   pg_temp.u(g, 43) AS kind_u
            FROM generate_series(0, %(total)s - 1) g
            JOIN bench_council c
              ON g >= floor(%(total)s::numeric * c.m_lo / (SELECT sum(m_n) FROM bench_council))
             AND g < floor(%(total)s::numeric * (c.m_lo + c.m_n) / (SELECT sum(m_n) FROM bench_council))
        ), s AS (
            SELECT p.*,
                   CASE WHEN session_u < 0.15 THEN 1 WHEN session_u < 0.35 THEN 2
                        WHEN session_u < 0.65 THEN 3 ELSE 4 END AS session_n
            FROM p
        )
        SELECT s.p, s.p + 1 AS id, s.council_id, s.sessions[s.session_n] AS session_id,
               s.session_n, s.staff_id, s.unit_user_id,
               CASE WHEN s.session_n < 4 THEN
                    CASE WHEN state_u < 0.08 THEN 'not_filed' WHEN state_u < 0.11 THEN 'merged'
                         WHEN state_u < 0.14 THEN 'replied' ELSE 'closed' END
               ELSE CASE WHEN state_u < 0.03 THEN 'draft' WHEN state_u < 0.07 THEN 'submitted'
                         WHEN state_u < 0.10 THEN 'under_review' WHEN state_u < 0.12 THEN 'returned'
                         WHEN state_u < 0.17 THEN 'not_filed' WHEN state_u < 0.20 THEN 'merged'
                         WHEN state_u < 0.25 THEN 'filed' WHEN state_u < 0.55 THEN 'assigned'
                         WHEN state_u < 0.70 THEN 'replied' ELSE 'closed' END
               END AS state,
               CASE WHEN kind_u < 0.88 THEN 'member' WHEN kind_u < 0.96 THEN 'sector'
                    ELSE 'committee' END AS proposer_kind,
               -- a member of the council, by its place in the council's member range
               s.m_lo + pg_temp.pick(s.p, 44, s.m_n) AS proposer_i, s.m_lo, s.m_n
        FROM s
    """, {"total": total})
    sql("""
        ALTER TABLE bench_proposal ADD COLUMN number int, ADD COLUMN merged_into bigint,
            ADD COLUMN opened date
    """)
    # Filed (numbered) at some point: filed, assigned, replied, closed — numbered per session.
    sql("""
        UPDATE bench_proposal b SET number = x.n FROM (
            SELECT p, row_number() OVER (PARTITION BY session_id ORDER BY p) AS n
            FROM bench_proposal WHERE state IN ('filed', 'assigned', 'replied', 'closed')) x
        WHERE b.p = x.p
    """)
    # A merged proposal went into the first numbered one of its session.
    sql("""
        UPDATE bench_proposal b SET merged_into = x.id FROM (
            SELECT session_id, min(id) AS id FROM bench_proposal WHERE number IS NOT NULL
            GROUP BY session_id) x
        WHERE b.state = 'merged' AND b.session_id = x.session_id
    """)
    # (At a small scale a session may have no numbered proposal: nothing to merge into.)
    sql("UPDATE bench_proposal SET state = 'not_filed' WHERE state = 'merged' AND merged_into IS NULL")
    sql("UPDATE bench_proposal b SET opened = s.opened_on FROM proposals_session s "
        "WHERE s.id = b.session_id")
    columns = ["id", "council_id", "session_id", "number", "title", "reasons", "suggestions",
               "category_id", "proposer_kind", "proposer_id", "proposer_sector_id",
               "proposer_committee_id", "submitted_by_id", "state", "cosign_deadline",
               "internal_note", "not_filed_reason", "to_opinion", "returned_reason",
               "merged_into_id", "round", "deadline", "version", "created_at", "updated_at",
               "submitted_at", "filed_at", "closed_at", "latest_reply", "counted_rating"]
    require_columns("proposals_proposal", columns)
    # The timeline of a proposal: collected in the month before its session opened, filed
    # ten days after, answered within 3 months, closed after the rating.
    sql(f"""
        INSERT INTO proposals_proposal ({", ".join(columns)})
        SELECT b.id, b.council_id, b.session_id, b.number,
               '关于' || pg_temp.one(%(topics)s, b.p, 45) || '的提案',
               '当前' || pg_temp.one(%(topics)s, b.p, 45) || '方面仍存在短板，群众反映较多。',
               '建议有关部门加强统筹，完善政策措施，抓好落实。',
               cat.ref_id, b.proposer_kind,
               CASE WHEN b.proposer_kind = 'member' THEN b.proposer_i + 1 END,
               CASE WHEN b.proposer_kind = 'sector' THEN m.sector_id END,
               CASE WHEN b.proposer_kind = 'committee' THEN cm.ref_id END,
               CASE WHEN b.proposer_kind = 'member' THEN m.user_id ELSE b.staff_id END,
               b.state, NULL, '', CASE WHEN b.state = 'not_filed' THEN '不符合立案条件，转为意见建议' ELSE '' END,
               false, CASE WHEN b.state = 'returned' THEN '请补充具体建议' ELSE '' END,
               b.merged_into, 1,
               CASE WHEN b.state = 'assigned'
                    THEN %(today)s::date + (pg_temp.pick(b.p, 47, 120)::int - 40)
                    WHEN b.state IN ('replied', 'closed') THEN b.opened + 100 END,
               1 + pg_temp.pick(b.p, 48, 6)::int,
               t.created, t.created + interval '100 days' * (b.state NOT IN ('draft', 'submitted'))::int,
               CASE WHEN b.state <> 'draft' THEN t.created + interval '1 day' END,
               CASE WHEN b.number IS NOT NULL THEN t.created + interval '10 days' END,
               CASE WHEN b.state = 'closed' THEN t.created + interval '100 days' END,
               -- The outcome columns: rollups_rebuild (at the end) computes them from the
               -- replies and ratings, as the portal keeps them on every write.
               '', ''
        FROM bench_proposal b
        JOIN bench_member m ON m.i = b.proposer_i
        JOIN bench_ref cat ON cat.council_id = b.council_id AND cat.kind = 'categories'
                          AND cat.k = pg_temp.pick(b.p, 46, 8)
        JOIN bench_ref cm ON cm.council_id = b.council_id AND cm.kind = 'committees'
                         AND cm.k = pg_temp.pick(b.p, 49, 8)
        CROSS JOIN LATERAL (
            SELECT least(pg_temp.at(b.opened - pg_temp.pick(b.p, 50, 30)::int, 10),
                         pg_temp.at(%(today)s::date - 1, 9)) AS created) t
        ORDER BY b.id
    """, {"topics": TOPICS, "today": today})
    sql("""
        UPDATE proposals_session s SET last_number = x.n
        FROM (SELECT session_id, max(number) AS n FROM bench_proposal GROUP BY session_id) x
        WHERE s.id = x.session_id AND x.n IS NOT NULL
    """)
    # Co-signers: the next two members of the council after the proposer.
    sql("""
        INSERT INTO proposals_cosigner (proposal_id, member_id, state, invited_at, responded_at)
        SELECT b.id, b.m_lo + (b.proposer_i - b.m_lo + v.j) %% b.m_n + 1,
               CASE WHEN b.state = 'draft' THEN 'invited' ELSE 'confirmed' END,
               p.created_at, CASE WHEN b.state <> 'draft' THEN p.created_at + interval '1 day' END
        FROM bench_proposal b JOIN proposals_proposal p ON p.id = b.id
        JOIN (VALUES (1), (2)) v(j) ON true
        WHERE b.proposer_kind = 'member' AND pg_temp.u(b.p, 51) < 0.3 AND b.m_n > 2
        ORDER BY b.id, v.j
    """)
    # Assignments: the lead unit (and for 20 % a co-handling unit) of every handled proposal.
    sql("""
        INSERT INTO proposals_assignment (proposal_id, unit_id, is_lead, deadline, state,
                                          returned_reason, assigned_at, assigned_by_id)
        SELECT b.id, u.ref_id, v.j = 0, coalesce(p.deadline, b.opened + 100),
               CASE WHEN b.state = 'closed' THEN 'done' ELSE 'active' END, '',
               p.filed_at + interval '2 days', b.staff_id
        FROM bench_proposal b JOIN proposals_proposal p ON p.id = b.id
        JOIN (VALUES (0), (1)) v(j) ON v.j = 0 OR pg_temp.u(b.p, 52) < 0.2
        JOIN bench_ref u ON u.council_id = b.council_id AND u.kind = 'units'
                        AND u.k = (pg_temp.pick(b.p, 53, 20) + v.j) %% 20
        WHERE b.state IN ('assigned', 'replied', 'closed')
        ORDER BY b.id, v.j
    """)
    sql("""
        INSERT INTO proposals_reply (proposal_id, unit_id, round, category, text, attachment,
                                     replied_at, replied_by_id)
        SELECT a.proposal_id, a.unit_id, 1, pg_temp.one(ARRAY['A', 'A', 'B', 'B', 'C', 'D'], a.proposal_id, 54),
               '经研究，已纳入年度工作计划，将持续推进落实。', '',
               p.filed_at + interval '60 days', b.unit_user_id
        FROM proposals_assignment a JOIN proposals_proposal p ON p.id = a.proposal_id
        JOIN bench_proposal b ON b.id = a.proposal_id
        WHERE a.is_lead AND p.state IN ('replied', 'closed')
        ORDER BY a.proposal_id
    """)
    sql("""
        INSERT INTO proposals_rating (proposal_id, member_id, rated_by_id, round, value, comment, rated_at)
        SELECT p.id, p.proposer_id, CASE WHEN p.proposer_id IS NULL THEN b.staff_id ELSE m.user_id END, 1,
               pg_temp.one(ARRAY['satisfied', 'satisfied', 'basically', 'unsatisfied'], p.id, 55),
               '', p.filed_at + interval '80 days'
        FROM proposals_proposal p JOIN bench_proposal b ON b.id = p.id
        JOIN bench_member m ON m.i = b.proposer_i
        WHERE p.state = 'closed' ORDER BY p.id
    """)
    # The contact log an opinion came from: the proposer's last contact before the proposal.
    sql("""
        UPDATE activities_contactlog l SET proposal_id = x.proposal_id
        FROM (
            SELECT p.id AS proposal_id,
                   (SELECT c.id FROM activities_contactlog c
                    WHERE c.member_id = p.proposer_id AND c.contacted_at < p.created_at
                    ORDER BY c.contacted_at DESC LIMIT 1) AS log_id
            FROM proposals_proposal p
            WHERE p.proposer_id IS NOT NULL AND pg_temp.u(p.id, 56) < 0.3
        ) x
        WHERE l.id = x.log_id
    """)


# --- 5. Activities, consultations, campaigns ----------------------------------------------


def insert_events(scale: float, today: date, councils: list[dict]) -> None:
    """Activities over the two years and the next month (held, some cancelled; planned
    ahead), with sectors (30 % cross-sector) and ten members each; consultations with five
    members, a sector and two problems each (some in the next three weeks: the "before a
    consultation" must-visit); a running campaign in the province and in one district."""
    activities = max(round(ACTIVITIES * scale), 11)
    consultations = max(round(CONSULTATIONS * scale), 11)
    activity_columns = ["id", "council_id", "title", "kind_id", "channel", "starts_at", "ends_at",
                        "place", "platform_id", "committee_id", "series_id", "state",
                        "constituents_reached", "summary", "created_by_id", "created_at"]
    require_columns("activities_activity", activity_columns)
    sql(f"""
        INSERT INTO activities_activity ({", ".join(activity_columns)})
        SELECT a.g + 1, c.council_id, k.name || '（第' || (a.g + 1) || '期）', k.id,
               pg_temp.one(ARRAY['research', 'forum', 'online', 'clinic', 'reading'], a.g, 60),
               a.starts, a.starts + interval '2 hours', '活动中心', p.ref_id,
               CASE WHEN pg_temp.u(a.g, 61) < 0.5 THEN cm.ref_id END, NULL,
               CASE WHEN a.starts > now() THEN 'planned'
                    WHEN pg_temp.u(a.g, 62) < 0.05 THEN 'cancelled' ELSE 'held' END,
               pg_temp.pick(a.g, 63, 200)::int, '活动顺利开展，群众反响良好。', c.staff_id,
               least(a.starts, now())
        FROM (SELECT g, pg_temp.pick(g, 64, 11)::int AS council_k,
                     pg_temp.at(%(today)s::date - %(days)s + pg_temp.pick(g, 65, %(days)s + 30)::int,
                                9 + pg_temp.pick(g, 66, 8)) AS starts
              FROM generate_series(0, %(n)s - 1) g) a
        JOIN bench_council c ON c.k = a.council_k
        JOIN bench_ref kr ON kr.council_id = c.council_id AND kr.kind = 'kinds'
                         AND kr.k = pg_temp.pick(a.g, 67, 12)
        JOIN activities_activitykind k ON k.id = kr.ref_id
        JOIN bench_ref p ON p.council_id = c.council_id AND p.kind = 'platforms'
                        AND p.k = pg_temp.pick(a.g, 68, 22)
        JOIN bench_ref cm ON cm.council_id = c.council_id AND cm.kind = 'committees'
                         AND cm.k = pg_temp.pick(a.g, 69, 8)
        ORDER BY a.g
    """, {"today": today, "days": DAYS, "n": activities})
    sql("""
        INSERT INTO activities_activity_sectors (activity_id, sector_id)
        SELECT a.id, s.ref_id FROM activities_activity a
        JOIN (VALUES (0), (1)) v(j) ON v.j = 0 OR pg_temp.u(a.id, 70) < 0.3
        JOIN bench_ref s ON s.council_id = a.council_id AND s.kind = 'sectors'
                        AND s.k = (pg_temp.pick(a.id, 71, 30) + 7 * v.j) %% 30
        ORDER BY a.id, v.j
    """)
    sql("""
        INSERT INTO activities_attendance (activity_id, member_id, signed_up_at, attended,
                                           attended_marked_at, marked_by_id)
        SELECT a.id, c.m_lo + (pg_temp.pick(a.id, 72, c.m_n) + 37 * v.j) %% c.m_n + 1,
               a.starts_at - interval '3 days',
               a.state = 'held' AND pg_temp.u(a.id * 10 + v.j, 73) < 0.9,
               CASE WHEN a.state = 'held' AND pg_temp.u(a.id * 10 + v.j, 73) < 0.9 THEN a.starts_at END,
               CASE WHEN a.state = 'held' AND pg_temp.u(a.id * 10 + v.j, 73) < 0.9 THEN c.staff_id END
        FROM activities_activity a JOIN bench_council c ON c.council_id = a.council_id
        CROSS JOIN generate_series(0, 9) v(j)
        ORDER BY a.id, v.j
        ON CONFLICT DO NOTHING
    """)
    consultation_columns = ["id", "council_id", "topic", "held_on", "platform_id", "host",
                            "officials_count", "officials_names", "constituents_count",
                            "constituents_names", "minutes", "proposal_id", "created_by_id",
                            "created_at"]
    require_columns("activities_consultation", consultation_columns)
    sql(f"""
        INSERT INTO activities_consultation ({", ".join(consultation_columns)})
        SELECT x.g + 1, c.council_id, '就' || pg_temp.one(%(topics)s, x.g, 80) || '开展协商议事',
               x.held, p.ref_id, '政协委员', 3, '相关部门负责同志', 12, '', '与会各方充分协商，形成共识。',
               NULL, c.staff_id, pg_temp.at(least(x.held, %(today)s::date) - 7, 10)
        FROM (SELECT g, pg_temp.pick(g, 81, 11)::int AS council_k,
                     -- 2 %% of them in the next three weeks, the rest over the two years
                     CASE WHEN pg_temp.u(g, 82) < 0.02
                          THEN %(today)s::date + 1 + pg_temp.pick(g, 83, 20)::int
                          ELSE %(today)s::date - 1 - pg_temp.pick(g, 83, %(days)s)::int END AS held
              FROM generate_series(0, %(n)s - 1) g) x
        JOIN bench_council c ON c.k = x.council_k
        JOIN bench_ref p ON p.council_id = c.council_id AND p.kind = 'platforms'
                        AND p.k = pg_temp.pick(x.g, 84, 22)
        ORDER BY x.g
    """, {"topics": TOPICS, "today": today, "days": DAYS, "n": consultations})
    sql("""
        INSERT INTO activities_consultation_members (consultation_id, member_id)
        SELECT k.id, c.m_lo + (pg_temp.pick(k.id, 85, c.m_n) + 37 * v.j) %% c.m_n + 1
        FROM activities_consultation k JOIN bench_council c ON c.council_id = k.council_id
        CROSS JOIN generate_series(0, 4) v(j)
        ORDER BY k.id, v.j
        ON CONFLICT DO NOTHING
    """)
    sql("""
        INSERT INTO activities_consultation_sectors (consultation_id, sector_id)
        SELECT k.id, s.ref_id FROM activities_consultation k
        JOIN bench_ref s ON s.council_id = k.council_id AND s.kind = 'sectors'
                        AND s.k = pg_temp.pick(k.id, 86, 30)
        ORDER BY k.id
    """)
    problem_columns = ["id", "consultation_id", "description", "raised_by", "responsible_unit",
                       "state", "resolution", "resolved_on", "proposal_id", "created_at",
                       "updated_at"]
    require_columns("activities_problem", problem_columns)
    sql(f"""
        INSERT INTO activities_problem ({", ".join(problem_columns)})
        SELECT row_number() OVER (ORDER BY k.id, v.j), k.id, pg_temp.one(%(opinions)s, k.id * 2 + v.j, 87),
               '群众代表', '有关部门', x.state,
               CASE WHEN x.state = 'resolved' THEN '已协调解决' ELSE '' END,
               CASE WHEN x.state = 'resolved' THEN least(k.held_on + 30, %(today)s::date) END,
               NULL, k.created_at, k.created_at
        FROM activities_consultation k CROSS JOIN (VALUES (0), (1)) v(j)
        CROSS JOIN LATERAL (
            SELECT CASE WHEN k.held_on > %(today)s::date THEN 'open'
                        ELSE pg_temp.one(ARRAY['resolved', 'resolved', 'resolved', 'resolved', 'resolved',
                                               'in_progress', 'in_progress', 'open', 'open', 'not_solvable'],
                                         k.id * 2 + v.j, 88) END AS state) x
        ORDER BY k.id, v.j
    """, {"opinions": OPINIONS, "today": today})
    # Running campaigns (staff pressed "start" ten days ago).
    for council in (councils[0], councils[3]):
        rule = MustVisitRule.objects.get(council_id=council["id"], trigger_type="campaign", order=3)
        Campaign.objects.create(
            council_id=council["id"], rule=rule, title="传达全会精神", kind="meeting",
            started_by_id=council["staff"], started_on=today - timedelta(days=10),
            due_on=today + timedelta(days=20),
        )


# --- 6. Checks, derived data, statistics ---------------------------------------------------


def check() -> None:
    """Orphans the disabled foreign-key triggers would have refused (none expected)."""
    checks = {
        "constituents without their member": """
            SELECT count(*) FROM members_constituent c
            WHERE NOT EXISTS (SELECT 1 FROM members_member m WHERE m.id = c.member_id)""",
        "links without their log (at the log's time)": """
            SELECT count(*) FROM activities_contactlogconstituent x
            WHERE NOT EXISTS (SELECT 1 FROM activities_contactlog l
                              WHERE l.id = x.contact_log_id AND l.contacted_at = x.contacted_at)""",
        "tags without their log (at the log's time)": """
            SELECT count(*) FROM activities_contactlogtag x
            WHERE NOT EXISTS (SELECT 1 FROM activities_contactlog l
                              WHERE l.id = x.contact_log_id AND l.contacted_at = x.contacted_at)""",
        "links without their constituent": """
            SELECT count(*) FROM activities_contactlogconstituent x
            WHERE NOT EXISTS (SELECT 1 FROM members_constituent c WHERE c.id = x.constituent_id)""",
        "logs by another member than the constituent's": """
            SELECT count(*) FROM activities_contactlogconstituent x
            JOIN activities_contactlog l ON l.id = x.contact_log_id
            JOIN members_constituent c ON c.id = x.constituent_id
            WHERE c.member_id <> l.member_id""",
        "constituents added after a contact": """
            SELECT count(*) FROM members_constituent WHERE created_at > last_contacted_at""",
    }
    for label, statement in checks.items():
        n = scalar(statement)
        say(f"    {label}: {n}")
        if n:
            sys.exit(f"inconsistent data: {label}")


def rebuild_rollups() -> None:
    """Every management command with "rollup" in its name, as an operator would run it."""
    for name in sorted(n for n in get_commands() if "rollup" in n):
        with step(f"manage.py {name}"):
            call_command(name)


def summary() -> None:
    tables = ["members_council", "members_user", "members_member", "members_constituent",
              "activities_contactlog", "activities_contactlogconstituent", "proposals_proposal",
              "proposals_assignment", "proposals_reply", "proposals_rating",
              "activities_activity", "activities_attendance", "activities_consultation",
              "activities_problem", "activities_mustvisitrule", "activities_reminder",
              "activities_contactday"]
    for table in tables:
        say(f"    {table:<36} {scalar(f'SELECT count(*) FROM {table}'):>10,}")
    say(f"    database size: {scalar('SELECT pg_size_pretty(pg_database_size(current_database()))')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of the province's rows (default 1: 5M contact logs)")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="the day the data end (default: today, Asia/Shanghai)")
    parser.add_argument("--force", action="store_true",
                        help="drop the database even if others are connected to it")
    parser.add_argument("--chunks", type=int, default=20, help="contact-log statements")
    parser.add_argument("--ready-file", default=None,
                        help="touch this file when done (default: /tmp/province-ready for "
                             "the database liaison_province)")
    args = parser.parse_args()
    today = args.today or timezone.localdate()
    started = time.perf_counter()
    say(f"generating at scale {args.scale} up to {today} ({load()}, {datetime.now():%H:%M})")

    with step("dropping and creating the database"):
        name = recreate_database(args.force)
    ready = Path(args.ready_file) if args.ready_file else (
        READY_FILE if name == "liaison_province" else None)
    if ready is not None:
        ready.unlink(missing_ok=True)
    with step("migrate"):
        call_command("migrate", verbosity=0)
    with step("monthly partitions of the two years (PostgreSQL's partitioned history)"):
        # migrate made the current month and those ahead; the data begin two years back.
        partitions_ensure(first=today - timedelta(days=DAYS), today=today)
    helpers(today)
    password_hash = make_password(PASSWORD)
    with step("councils, sectors, committees, sessions, units, platforms, logins (services)"):
        councils = setup_councils(today, password_hash)
        stage_councils(councils, args.scale)
    # The bulk: rows consistent by construction; foreign keys checked by check() at the end.
    sql("SET session_replication_role = replica")
    with step("members and their logins"):
        stage_members(args.scale)
        insert_members(password_hash, today)
    with indexes_deferred("members_constituent", "activities_contactlog",
                          "activities_contactlogconstituent", "activities_contactlogtag"):
        with step("staging constituents and their first and last contacts"):
            stage_constituents(args.scale, today)
        with step("constituents"):
            insert_constituents(today)
        with step("sealing the constituents' phones (SM4) and their hashes"):
            seal_phones()
        with step("contact logs and their constituent links"):
            insert_contact_logs(args.scale, today, args.chunks)
        with step("the logs' 四联四助 tags"):
            insert_log_tags()
    with step("ANALYZE the loaded tables"):
        sql("ANALYZE members_member, members_constituent, activities_contactlog, "
            "activities_contactlogconstituent")
    with step("proposals, co-signers, assignments, replies, ratings"):
        insert_proposals(args.scale, today)
    with step("activities, consultations, problems, campaigns"):
        insert_events(args.scale, today, councils)
    sql("SET session_replication_role = origin")
    with step("sequences, staging tables, checks"):
        set_sequences()
        for table in ("bench_proposal", "bench_contact", "bench_const", "bench_member",
                      "bench_ref", "bench_council"):
            sql(f"DROP TABLE {table}")
        check()
    with step("ANALYZE (for the rebuild's plans)"):
        sql("ANALYZE")
    rebuild_rollups()
    with step("VACUUM ANALYZE"):
        sql("VACUUM ANALYZE")
    summary()
    say(f"done in {time.perf_counter() - started:.0f} s ({load()})")
    if ready is not None:
        ready.touch()
        say(f"touched {ready}")


if __name__ == "__main__":
    main()
