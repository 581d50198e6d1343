"""The demo story's people, intakes, enrolments, contracts and payments
(data only; told by ``edu.crm.demo`` in edu_crm_demo.py)."""

# programme -> (intake starts: "academic" every September, "rolling" every
# six months around today), duration in months
PROGRAMMES = {
    "bsc_cs": "academic",
    "mba": "academic",
    "data": "rolling",
}
INTAKE_KEYS = {"prev2": -2, "prev": -1, "current": 0, "next": 1}

# (student, programme, intake, fate, days or months of the fate, reason, lead)
# fate: what happened to the enrolment; for on_leave the days ago, for
# withdrawn the months after the start
ENROLMENTS = [
    # BSc Computer Science: three cohorts studying, one applying
    ("13", "bsc_cs", "prev2", "enrolled", 0, None, None),
    (
        "16",
        "bsc_cs",
        "prev2",
        "on_leave",
        60,
        "A semester abroad with her family.",
        None,
    ),
    ("21", "bsc_cs", "prev2", "withdrawn", 10, "Moved to another university.", None),
    ("19", "bsc_cs", "prev", "enrolled", 0, None, None),
    (
        "22",
        "bsc_cs",
        "prev",
        "withdrawn",
        4,
        "Could not combine the programme with his job.",
        None,
    ),
    ("01", "bsc_cs", "current", "enrolled", 0, None, "lead_enrolled_01_demo"),
    ("04", "bsc_cs", "current", "enrolled", 0, None, "lead_enrolled_04_demo"),
    ("07", "bsc_cs", "current", "enrolled", 0, None, None),
    ("10", "bsc_cs", "current", "enrolled", 0, None, None),
    ("20", "bsc_cs", "next", "applied", 0, None, None),
    ("23", "bsc_cs", "next", "admitted", 0, None, None),
    # Executive MBA: a graduated cohort, two studying, one applying
    ("11", "mba", "prev2", "graduated", 0, None, None),
    ("17", "mba", "prev2", "graduated", 0, None, None),
    (
        "24",
        "mba",
        "prev2",
        "withdrawn",
        8,
        "Changed employer; the new one does not fund the programme.",
        None,
    ),
    ("02", "mba", "prev", "enrolled", 0, None, "lead_enrolled_02_demo"),
    ("08", "mba", "prev", "enrolled", 0, None, None),
    ("14", "mba", "prev", "on_leave", 30, "Parental leave.", None),
    ("05", "mba", "current", "enrolled", 0, None, "lead_enrolled_05_demo"),
    ("25", "mba", "next", "applied", 0, None, None),
    # Certificate in Data Analytics (six months): two graduated cohorts
    ("12", "data", "prev2", "graduated", 0, None, None),
    ("18", "data", "prev2", "graduated", 0, None, None),
    ("09", "data", "prev", "graduated", 0, None, None),
    ("15", "data", "prev", "withdrawn", 2, "Did not start the second module.", None),
    ("03", "data", "current", "enrolled", 0, None, "lead_enrolled_03_demo"),
    ("06", "data", "current", "enrolled", 0, None, "lead_enrolled_06_demo"),
    ("26", "data", "next", "applied", 0, None, None),
]
SPONSORS = {
    "01": "sponsor_dnipro_demo",
    "02": "sponsor_dnipro_demo",
    "05": "sponsor_dnipro_demo",
    "06": "sponsor_balkan_demo",
    "08": "sponsor_balkan_demo",
}

# Tuition contracts: xmlid suffix, student, plan, start, payers, terms,
# payments {instalment: (share of the invoice paid, days after due)} with
# "*" for every other instalment, and what the bursar did next.
# start: ("year", k) = 1 September of academic year k (0 = this one),
# ("intake",) = the start of the student's intake, ("days", n) = today + n
STUDENT = None  # payer: the student
CONTRACTS = [
    # last academic year: paid, closed by themselves
    (
        "h1",
        "13",
        "payment_plan_semester",
        ("year", -1),
        None,
        {},
        {"*": (1, 0), 2: (1, 9)},
    ),
    (
        "h2",
        "19",
        "payment_plan_monthly_10",
        ("year", -1),
        None,
        {},
        {"*": (1, 0), 3: (1, 6), 7: (1, 21)},
    ),
    (
        "h3",
        "02",
        "payment_plan_semester",
        ("year", -1),
        "sponsor_dnipro_demo",
        {},
        {"*": (1, -3)},
    ),
    (
        "h4",
        "08",
        "payment_plan_semester",
        ("year", -1),
        "sponsor_balkan_demo",
        {},
        {1: (1, 10), 2: (1, 14)},
    ),
    ("h5", "11", "payment_plan_upfront", ("year", -1), None, {}, {"*": (1, -5)}),
    (
        "h6",
        "09",
        "payment_plan_monthly_6_demo",
        ("intake",),
        None,
        {},
        {"*": (1, 0), 6: (1, 18)},
    ),
    ("h7", "12", "payment_plan_upfront", ("intake",), None, {}, {"*": (1, 2)}),
    # withdrew after the first semester was paid: cancelled by the bursar
    (
        "h8",
        "22",
        "payment_plan_semester",
        ("year", -1),
        None,
        {"cancel_months": 4},
        {1: (1, 0)},
    ),
    # this academic year
    (
        "c1",
        "01",
        "payment_plan_monthly_10",
        ("year", 0),
        "sponsor_dnipro_demo",
        {},
        {"*": (1, 0)},
    ),
    ("c2", "13", "payment_plan_semester", ("year", 0), None, {}, {"*": (1, 0)}),
    (
        "c3",
        "19",
        "payment_plan_monthly_10",
        ("year", 0),
        None,
        {},
        {"*": (1, 2), 3: (1, 15)},
    ),
    (
        "c4",
        "02",
        "payment_plan_semester",
        ("year", 0),
        "sponsor_dnipro_demo",
        {},
        {1: (0.4, 3)},
    ),
    (
        "c5",
        "08",
        "payment_plan_semester",
        ("year", 0),
        "sponsor_balkan_demo",
        {},
        {1: (1, 7)},
    ),
    (
        "c6",
        "06",
        "payment_plan_monthly_6_demo",
        ("intake",),
        "sponsor_balkan_demo",
        {},
        {1: (1, 4), 2: (1, 6), "*": (1, 0)},
    ),
    # signed late: overdue now, the reminder ladder's next run acts on them
    (
        "r1",
        "05",
        "payment_plan_semester",
        ("days", -20),
        "split",
        {},
        {1: (1, 2, "student")},
    ),
    ("r2", "03", "payment_plan_upfront", ("days", -5), None, {"discount": 10}, {}),
    (
        "r3",
        "04",
        "payment_plan_semester",
        ("days", -35),
        None,
        {"scholarship_amount": 500},
        {},
    ),
    # starts in five days (first instalment invoiced: whatever the day of
    # the month, the "Instalment due" journey has sent its week's notice);
    # a draft proposal
    ("r4", "07", "payment_plan_monthly_10", ("days", 5), None, {}, {}),
    (
        "r5",
        "10",
        "payment_plan_custom_deposit",
        ("days", 30),
        None,
        {"draft": True},
        {},
    ),
]
# the reminder ladder ran a week ago: the stages reached since wait for its
# next run
LADDER_LAST_RUN_DAYS = 7
