"""The fictional world of the demo pool: countries, currencies, exchange rates,
member organisations and their projects.

Every organisation, partner and donor name here is invented. Countries, currencies and
the levels of the exchange rates are real (annual averages, rounded; recent years estimated),
so that USD conversions in the demo behave like real pooled data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

LATEST = date(2026, 9, 30)  # the demo pool's latest report date (a quarter end)
FORMATION_CUTOFF = date(2026, 6, 15)  # groups formed later would have no visit yet
FIRST_YEAR, LAST_YEAR = 2017, 2026  # exchange rates cover every year a row can need
EPOCH = date(1970, 1, 1)


def day_number(d: date) -> int:
    """Days since 1970-01-01: the generator works on whole days as integers."""
    return (d - EPOCH).days


def from_day_number(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-3
    name: str
    currency: str  # ISO 4217
    latitude: tuple[float, float]  # a box well inside the country
    longitude: tuple[float, float]
    regions: tuple[str, ...]  # first-level administrative areas
    group_words: tuple[str, ...]  # words groups in the country like to name themselves by
    savings_usd_per_member_day: float  # typical pace of saving
    # probabilities of women-only, mostly-women, mixed and mostly-men groups
    women_profile: tuple[float, float, float, float]


EAST = ("Tumaini", "Umoja", "Upendo", "Amani", "Neema", "Baraka", "Juhudi", "Faraja", "Imani")
GREAT_LAKES = ("Twiyubake", "Dufatanye", "Turwanyubukene", "Abishyizehamwe", "Terimbere")
ETHIOPIA = ("Andinet", "Tesfa", "Fikir", "Selam", "Birhan", "Edget")
WEST_SAHEL = ("Benkadi", "Jigiya", "Sababu", "Hadin Kai", "Albarka", "Niyya", "Tonjiya")
GHANA = ("Nkabom", "Abotare", "Adom", "Yenye Nkabom", "Nyame Bekyere", "Nkosuo")
MALAWI = ("Chikondi", "Tiyanjane", "Mgwirizano", "Chisomo", "Tigwirizane", "Kondwani")
SOUTH_ASIA = ("Ekta", "Asha", "Pragati", "Sabuj", "Ujjwal", "Sathi", "Jagaran", "Samridhi")

DEFAULT_WOMEN = (0.30, 0.52, 0.13, 0.05)
COUNTRIES: dict[str, Country] = {
    c.code: c
    for c in (
        Country("UGA", "Uganda", "UGX", (-0.6, 3.3), (30.5, 34.0),
                ("Central", "Eastern", "Northern", "Western"), EAST, 0.16, DEFAULT_WOMEN),
        Country("KEN", "Kenya", "KES", (-3.0, 3.0), (35.0, 39.0),
                ("Kisumu", "Kakamega", "Siaya", "Kitui", "Makueni", "Turkana"), EAST, 0.21,
                DEFAULT_WOMEN),
        Country("TZA", "Tanzania", "TZS", (-9.0, -3.0), (31.0, 37.5),
                ("Dodoma", "Mwanza", "Kigoma", "Singida", "Tabora", "Mara"), EAST, 0.17,
                DEFAULT_WOMEN),
        Country("RWA", "Rwanda", "RWF", (-2.5, -1.4), (29.3, 30.6),
                ("Northern", "Southern", "Eastern", "Western", "Kigali"), GREAT_LAKES, 0.14,
                DEFAULT_WOMEN),
        Country("BDI", "Burundi", "BIF", (-4.0, -2.6), (29.4, 30.5),
                ("Gitega", "Ngozi", "Kirundo", "Muyinga", "Makamba", "Bujumbura Rural"),
                GREAT_LAKES, 0.08, DEFAULT_WOMEN),
        Country("ETH", "Ethiopia", "ETB", (6.0, 13.0), (36.0, 42.0),
                ("Amhara", "Oromia", "Sidama", "Somali", "Tigray"), ETHIOPIA, 0.12,
                (0.40, 0.42, 0.13, 0.05)),
        Country("MWI", "Malawi", "MWK", (-15.5, -10.0), (33.3, 35.2),
                ("Northern", "Central", "Southern"), MALAWI, 0.09, DEFAULT_WOMEN),
        Country("GHA", "Ghana", "GHS", (6.0, 10.5), (-2.5, 0.3),
                ("Northern", "Upper East", "Upper West", "Ashanti", "Volta", "Bono East"),
                GHANA, 0.17, DEFAULT_WOMEN),
        Country("NER", "Niger", "XOF", (13.0, 15.0), (2.0, 12.0),
                ("Tillaberi", "Tahoua", "Maradi", "Zinder", "Dosso"), WEST_SAHEL, 0.09,
                (0.45, 0.33, 0.12, 0.10)),
        Country("MLI", "Mali", "XOF", (11.0, 15.0), (-9.0, -2.0),
                ("Segou", "Mopti", "Sikasso", "Koulikoro", "Kayes"), WEST_SAHEL, 0.11,
                (0.45, 0.33, 0.12, 0.10)),
        Country("BGD", "Bangladesh", "BDT", (22.5, 25.5), (88.5, 91.5),
                ("Rangpur", "Khulna", "Rajshahi", "Sylhet", "Barishal", "Chattogram"),
                SOUTH_ASIA, 0.13, (0.75, 0.20, 0.05, 0.0)),
        Country("NPL", "Nepal", "NPR", (27.0, 29.0), (81.0, 87.5),
                ("Koshi", "Madhesh", "Lumbini", "Karnali", "Sudurpashchim"), SOUTH_ASIA, 0.18,
                (0.70, 0.22, 0.08, 0.0)),
    )
}  # fmt: skip

# Units of the currency per USD, annual averages 2017..2026 (2025-26 estimated).
_EUR = (0.887, 0.848, 0.893, 0.877, 0.846, 0.939, 0.925, 0.924, 0.887, 0.862)
PER_USD: dict[str, tuple[float, ...]] = {
    "UGX": (3611, 3727, 3705, 3718, 3587, 3689, 3726, 3780, 3680, 3640),
    "KES": (103.4, 101.3, 102.0, 106.5, 109.6, 117.9, 139.8, 134.8, 129.3, 129.2),
    "TZS": (2228, 2264, 2288, 2294, 2298, 2303, 2384, 2596, 2520, 2460),
    "RWF": (831, 861, 900, 943, 988, 1031, 1160, 1314, 1425, 1460),
    "BIF": (1729, 1782, 1845, 1915, 1976, 2034, 2575, 2869, 2965, 3010),
    "ETB": (23.9, 27.4, 29.1, 34.9, 43.7, 51.8, 55.0, 82.1, 136.5, 152.0),
    "MWK": (730, 732, 745, 750, 805, 1000, 1130, 1735, 1742, 1748),
    "GHS": (4.35, 4.59, 5.22, 5.60, 5.81, 8.27, 11.02, 14.55, 12.90, 11.60),
    "XOF": tuple(round(e * 655.957, 1) for e in _EUR),  # pegged to the euro
    "BDT": (80.4, 83.5, 84.5, 84.9, 85.1, 91.7, 106.3, 115.0, 121.6, 122.3),
    "NPR": (104.5, 108.9, 112.6, 118.3, 117.8, 125.2, 132.1, 133.8, 137.9, 139.5),
    "DKK": tuple(round(e * 7.45, 3) for e in _EUR),  # pegged to the euro
    "EUR": _EUR,
}


def rates_of(currency: str) -> np.ndarray:
    """The currency's per_usd by year, indexed by year - FIRST_YEAR."""
    return np.asarray(PER_USD[currency], dtype=np.float64)


def money_unit(currency: str) -> float:
    """Amounts are whole units; in currencies of over 1000 per USD, whole hundreds."""
    return 100.0 if min(PER_USD[currency]) >= 1000 else 1.0


TAGS = ("climate", "disability", "humanitarian", "peacebuilding", "refugee")  # sorted


@dataclass(frozen=True)
class Organisation:
    name: str
    code: str
    countries: tuple[str, ...]  # home countries
    tag_probability: tuple[float, float, float, float, float]  # per TAGS entry, per group


ORGANISATIONS: tuple[Organisation, ...] = (
    Organisation("Nordlys Aid", "NOR", ("UGA", "KEN", "TZA"), (0.05, 0.02, 0.0, 0.0, 0.0)),
    Organisation("Fjord Partners", "FJO", ("RWA", "BDI", "UGA"), (0.0, 0.03, 0.02, 0.10, 0.0)),
    Organisation("Havn Relief", "HAV", ("ETH", "KEN", "NER", "UGA"),
                 (0.05, 0.03, 0.45, 0.05, 0.30)),
    Organisation("Lindegaard Mission", "LIN", ("MWI", "TZA", "BDI"), (0.10, 0.04, 0.0, 0.0, 0.0)),
    Organisation("Skovbrynet Foundation", "SKO", ("GHA", "MLI", "NER"),
                 (0.35, 0.02, 0.08, 0.05, 0.0)),
    Organisation("Ravnsborg Development", "RAV", ("BGD", "NPL"), (0.25, 0.05, 0.0, 0.0, 0.0)),
    Organisation("Solvang Church Aid", "SOL", ("ETH", "RWA", "MWI"),
                 (0.03, 0.02, 0.05, 0.30, 0.02)),
    Organisation("Bakkedal Alliance", "BAK", ("GHA", "BGD", "MLI"), (0.12, 0.06, 0.0, 0.0, 0.0)),
)  # fmt: skip
PROJECTS_PER_ORGANISATION = 5

PARTNER_FIRST = (
    "Sunrise",
    "Green Hills",
    "Riverbend",
    "Harvest",
    "Lantern",
    "Milestone",
    "Bridgeway",
    "Open Fields",
    "Kinship",
    "Evergreen",
    "Morning Star",
    "Cedar",
)
PARTNER_LAST = ("Community Trust", "Development Network", "Rural Initiative", "Savings Alliance",
                "Livelihoods Forum", "Self-Help Association")  # fmt: skip
DONORS = ("Northwind Foundation", "Kestrel Trust", "Aurora Giving Fund", "Tidewater Foundation",
          "Meridian Philanthropies", "Copperleaf Fund", "Halcyon Development Fund")  # fmt: skip
THEMES = ("Savings for Resilience", "Women's Economic Empowerment", "Village Finance",
          "Community Savings and Livelihoods", "Inclusive Savings",
          "Savings and Food Security")  # fmt: skip
HUMANITARIAN_THEMES = ("Savings in Crisis Settings", "Refugee and Host Community Savings")


@dataclass(frozen=True)
class Project:
    """A project and the parameters the generator draws its groups and books from."""

    index: int
    project_id: str
    project_name: str
    organisation: Organisation
    partner: str | None
    country: Country
    start_date: date
    end_date: date | None
    donor: str | None
    shared: bool
    n_groups: int
    trained_share: tuple[float, float, float]  # field_officer, village_agent, replicated
    field_officers: int
    village_agents: int
    youth_recorded: bool
    cost_per_member_usd: float
    savings_usd_per_member_day: float
    annual_return_on_savings: float
    loan_fund_utilisation: float
    members_with_loans: float
    late_loan_frequency: float
    attendance: float
    group_size: float
    stop_probability: float
    setting_probability: tuple[float, float, float]
    center: tuple[float, float]
    regions: tuple[str, ...]

    @property
    def currency(self) -> str:
        return self.country.currency


SPREAD_DEGREES = 0.3  # how far a project's groups lie from its centre, at most


def _inset(box: tuple[float, float]) -> tuple[float, float]:
    """The range of project centres whose groups all stay inside the box."""
    return box[0] + SPREAD_DEGREES, box[1] - SPREAD_DEGREES


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split total into integers proportional to weights (largest remainder)."""
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    rest = total - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts


def make_projects(rng: np.random.Generator, groups: int) -> list[Project]:
    """The network's projects, PROJECTS_PER_ORGANISATION per organisation."""
    n = len(ORGANISATIONS) * PROJECTS_PER_ORGANISATION
    sizes = allocate(groups, np.clip(rng.lognormal(0.0, 0.6, n), 0.2, 3.0))
    cost_per_member = rng.uniform(12.0, 36.0, n)
    cheap, dear = rng.choice(n, size=2, replace=False)
    cost_per_member[cheap] = rng.uniform(4.5, 6.5)  # a project with massive spontaneous spread
    cost_per_member[dear] = rng.uniform(55.0, 65.0)  # a costly start-up or crisis setting
    not_shared = set(rng.choice(n, size=4, replace=False).tolist())
    youth = rng.random(n) < 0.45
    youth[0], youth[1] = True, False  # both kinds always exist
    replication = np.clip(rng.lognormal(np.log(0.65), 0.55, n), 0.1, 2.2)
    replication[rng.choice(n, size=3, replace=False)] = rng.uniform(1.8, 2.2, 3)

    projects: list[Project] = []
    numbers: dict[tuple[str, str], int] = {}
    i = 0
    for org in ORGANISATIONS:
        homes = [org.countries[k] for k in rng.permutation(len(org.countries))]
        for k in range(PROJECTS_PER_ORGANISATION):
            country = COUNTRIES[homes[k % len(homes)]]
            number = numbers[(country.code, org.code)] = (
                numbers.get((country.code, org.code), 0) + 1
            )
            start = date(int(rng.integers(2017, 2023)), int(rng.integers(1, 13)), 1)
            end: date | None = None
            if start <= date(2021, 6, 30) and rng.random() < 0.3:
                earliest = max(start.year + 4, 2024)
                end = date(int(rng.integers(earliest, 2026)), 12, 31)
            rep = float(replication[i])
            va = 0.0 if rng.random() < 0.2 else float(rng.uniform(0.15, 0.55))
            trained = 1.0 / (1.0 + rep)
            shares = (trained * (1 - va), trained * va, 1.0 - trained)
            size = int(sizes[i])
            n_fo = max(1, round(size * shares[0] / 45))
            n_va = round(size * shares[1] / 20) + (round(size * shares[2] / 60) if va else 0)
            humanitarian = org.code == "HAV"
            theme_list = HUMANITARIAN_THEMES if humanitarian else THEMES
            theme = theme_list[int(rng.integers(len(theme_list)))]
            partner = (
                None
                if rng.random() < 0.1
                else f"{PARTNER_FIRST[int(rng.integers(len(PARTNER_FIRST)))]} "
                f"{PARTNER_LAST[int(rng.integers(len(PARTNER_LAST)))]}"
            )
            donor = None if rng.random() < 0.15 else DONORS[int(rng.integers(len(DONORS)))]
            n_regions = int(rng.integers(1, min(3, len(country.regions)) + 1))
            regions = tuple(
                country.regions[r]
                for r in sorted(rng.choice(len(country.regions), n_regions, False))
            )
            urban = float(rng.uniform(0.1, 0.4))
            projects.append(
                Project(
                    index=i,
                    project_id=f"{country.code}-{org.code}-{number:02d}",
                    project_name=f"{theme} ({country.name})",
                    organisation=org,
                    partner=partner,
                    country=country,
                    start_date=start,
                    end_date=end,
                    donor=donor,
                    shared=i not in not_shared,
                    n_groups=size,
                    trained_share=shares,
                    field_officers=n_fo,
                    village_agents=n_va,
                    youth_recorded=bool(youth[i]),
                    cost_per_member_usd=float(cost_per_member[i]),
                    savings_usd_per_member_day=country.savings_usd_per_member_day
                    * float(rng.uniform(0.8, 1.25)),
                    annual_return_on_savings=float(rng.uniform(0.32, 0.50)),
                    loan_fund_utilisation=float(rng.uniform(0.62, 0.82)),
                    members_with_loans=float(rng.uniform(0.6, 0.75)),
                    late_loan_frequency=float(rng.uniform(0.25, 0.7)),
                    attendance=float(rng.uniform(0.86, 0.93)),
                    group_size=float(rng.uniform(20.0, 25.0)),
                    stop_probability=float(rng.uniform(0.08, 0.25)),
                    setting_probability=(1.0 - urban, urban * 0.7, urban * 0.3),
                    center=(
                        float(rng.uniform(*_inset(country.latitude))),
                        float(rng.uniform(*_inset(country.longitude))),
                    ),
                    regions=regions,
                )
            )
            i += 1
    return projects


def quarter_ends(first: date, last: date) -> list[date]:
    """Quarter ends q with first <= q <= last."""
    out: list[date] = []
    for year in range(first.year, last.year + 1):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            q = date(year, month, day)
            if first <= q <= last:
                out.append(q)
    return out
