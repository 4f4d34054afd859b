# ruff: noqa: E501
"""ISO 3166-1 countries: alpha-2, alpha-3 and English short names (with common variants).

A compact table in code, so that there is no dependency and no download. Lookups are
case-, accent- and punctuation-insensitive: "Côte d'Ivoire", "cote divoire", "CI", "CIV"
and "Ivory Coast" all give CIV. Kosovo is included with its widely used user-assigned
codes XK/XKX, which ISO 3166-1 reserves but does not list.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from babel import Locale

from dashboard.core import i18n

# alpha-2 alpha-3 name[|other accepted names...]; the first name is the one shown.
_TABLE = """
AD AND Andorra
AE ARE United Arab Emirates|UAE
AF AFG Afghanistan
AG ATG Antigua and Barbuda
AI AIA Anguilla
AL ALB Albania
AM ARM Armenia
AO AGO Angola
AQ ATA Antarctica
AR ARG Argentina
AS ASM American Samoa
AT AUT Austria
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands
AZ AZE Azerbaijan
BA BIH Bosnia and Herzegovina
BB BRB Barbados
BD BGD Bangladesh
BE BEL Belgium
BF BFA Burkina Faso
BG BGR Bulgaria
BH BHR Bahrain
BI BDI Burundi
BJ BEN Benin
BL BLM Saint Barthélemy
BM BMU Bermuda
BN BRN Brunei Darussalam|Brunei
BO BOL Bolivia|Bolivia (Plurinational State of)|Plurinational State of Bolivia
BQ BES Bonaire, Sint Eustatius and Saba|Caribbean Netherlands
BR BRA Brazil
BS BHS Bahamas|The Bahamas
BT BTN Bhutan
BV BVT Bouvet Island
BW BWA Botswana
BY BLR Belarus
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands|Cocos Islands
CD COD Democratic Republic of the Congo|Congo, Democratic Republic of the|Congo, The Democratic Republic of the|Congo (Democratic Republic of the)|DR Congo|DRC|Congo (Kinshasa)|Congo-Kinshasa
CF CAF Central African Republic
CG COG Congo|Republic of the Congo|Congo, Republic of the|Congo (Brazzaville)|Congo-Brazzaville
CH CHE Switzerland
CI CIV Côte d'Ivoire|Ivory Coast
CK COK Cook Islands
CL CHL Chile
CM CMR Cameroon
CN CHN China
CO COL Colombia
CR CRI Costa Rica
CU CUB Cuba
CV CPV Cabo Verde|Cape Verde
CW CUW Curaçao
CX CXR Christmas Island
CY CYP Cyprus
CZ CZE Czechia|Czech Republic
DE DEU Germany
DJ DJI Djibouti
DK DNK Denmark
DM DMA Dominica
DO DOM Dominican Republic
DZ DZA Algeria
EC ECU Ecuador
EE EST Estonia
EG EGY Egypt
EH ESH Western Sahara
ER ERI Eritrea
ES ESP Spain
ET ETH Ethiopia
FI FIN Finland
FJ FJI Fiji
FK FLK Falkland Islands|Falkland Islands (Malvinas)
FM FSM Micronesia|Micronesia (Federated States of)|Federated States of Micronesia
FO FRO Faroe Islands
FR FRA France
GA GAB Gabon
GB GBR United Kingdom|United Kingdom of Great Britain and Northern Ireland|UK|Great Britain|Britain
GD GRD Grenada
GE GEO Georgia
GF GUF French Guiana
GG GGY Guernsey
GH GHA Ghana
GI GIB Gibraltar
GL GRL Greenland
GM GMB Gambia|The Gambia
GN GIN Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea
GR GRC Greece
GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala
GU GUM Guam
GW GNB Guinea-Bissau
GY GUY Guyana
HK HKG Hong Kong
HM HMD Heard Island and McDonald Islands
HN HND Honduras
HR HRV Croatia
HT HTI Haiti
HU HUN Hungary
ID IDN Indonesia
IE IRL Ireland
IL ISR Israel
IM IMN Isle of Man
IN IND India
IO IOT British Indian Ocean Territory
IQ IRQ Iraq
IR IRN Iran|Iran (Islamic Republic of)|Islamic Republic of Iran
IS ISL Iceland
IT ITA Italy
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan
JP JPN Japan
KE KEN Kenya
KG KGZ Kyrgyzstan|Kyrgyz Republic
KH KHM Cambodia
KI KIR Kiribati
KM COM Comoros
KN KNA Saint Kitts and Nevis
KP PRK North Korea|Korea (Democratic People's Republic of)|Democratic People's Republic of Korea
KR KOR South Korea|Korea, Republic of|Republic of Korea
KW KWT Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan
LA LAO Laos|Lao People's Democratic Republic|Lao PDR
LB LBN Lebanon
LC LCA Saint Lucia
LI LIE Liechtenstein
LK LKA Sri Lanka
LR LBR Liberia
LS LSO Lesotho
LT LTU Lithuania
LU LUX Luxembourg
LV LVA Latvia
LY LBY Libya
MA MAR Morocco
MC MCO Monaco
MD MDA Moldova|Moldova, Republic of|Republic of Moldova
ME MNE Montenegro
MF MAF Saint Martin|Saint Martin (French part)
MG MDG Madagascar
MH MHL Marshall Islands
MK MKD North Macedonia|Macedonia
ML MLI Mali
MM MMR Myanmar|Burma
MN MNG Mongolia
MO MAC Macao|Macau
MP MNP Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania
MS MSR Montserrat
MT MLT Malta
MU MUS Mauritius
MV MDV Maldives
MW MWI Malawi
MX MEX Mexico
MY MYS Malaysia
MZ MOZ Mozambique
NA NAM Namibia
NC NCL New Caledonia
NE NER Niger
NF NFK Norfolk Island
NG NGA Nigeria
NI NIC Nicaragua
NL NLD Netherlands|Netherlands (Kingdom of the)|The Netherlands|Holland
NO NOR Norway
NP NPL Nepal
NR NRU Nauru
NU NIU Niue
NZ NZL New Zealand
OM OMN Oman
PA PAN Panama
PE PER Peru
PF PYF French Polynesia
PG PNG Papua New Guinea
PH PHL Philippines
PK PAK Pakistan
PL POL Poland
PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn
PR PRI Puerto Rico
PS PSE Palestine|Palestine, State of|State of Palestine|Palestinian Territories|Occupied Palestinian Territory
PT PRT Portugal
PW PLW Palau
PY PRY Paraguay
QA QAT Qatar
RE REU Réunion
RO ROU Romania
RS SRB Serbia
RU RUS Russia|Russian Federation
RW RWA Rwanda
SA SAU Saudi Arabia
SB SLB Solomon Islands
SC SYC Seychelles
SD SDN Sudan
SE SWE Sweden
SG SGP Singapore
SH SHN Saint Helena, Ascension and Tristan da Cunha|Saint Helena
SI SVN Slovenia
SJ SJM Svalbard and Jan Mayen
SK SVK Slovakia
SL SLE Sierra Leone
SM SMR San Marino
SN SEN Senegal
SO SOM Somalia
SR SUR Suriname
SS SSD South Sudan
ST STP São Tomé and Príncipe|Sao Tome and Principe
SV SLV El Salvador
SX SXM Sint Maarten|Sint Maarten (Dutch part)
SY SYR Syria|Syrian Arab Republic
SZ SWZ Eswatini|Swaziland
TC TCA Turks and Caicos Islands
TD TCD Chad
TF ATF French Southern Territories
TG TGO Togo
TH THA Thailand
TJ TJK Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste|East Timor
TM TKM Turkmenistan
TN TUN Tunisia
TO TON Tonga
TR TUR Türkiye|Turkey
TT TTO Trinidad and Tobago
TV TUV Tuvalu
TW TWN Taiwan|Taiwan, Province of China
TZ TZA Tanzania|Tanzania, United Republic of|United Republic of Tanzania
UA UKR Ukraine
UG UGA Uganda
UM UMI United States Minor Outlying Islands
US USA United States|United States of America
UY URY Uruguay
UZ UZB Uzbekistan
VA VAT Holy See|Vatican|Vatican City
VC VCT Saint Vincent and the Grenadines
VE VEN Venezuela|Venezuela (Bolivarian Republic of)
VG VGB British Virgin Islands|Virgin Islands (British)
VI VIR United States Virgin Islands|Virgin Islands (U.S.)|US Virgin Islands
VN VNM Viet Nam|Vietnam
VU VUT Vanuatu
WF WLF Wallis and Futuna
WS WSM Samoa
YE YEM Yemen
YT MYT Mayotte
ZA ZAF South Africa
ZM ZMB Zambia
ZW ZWE Zimbabwe
XK XKX Kosovo
"""


def name_key(text: str) -> str:
    """Case-, accent- and punctuation-free form of a name, for comparison."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_text = ascii_text.lower().replace("&", "and")
    return re.sub(r"[^a-z0-9]", "", ascii_text)


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(lookup key -> alpha-3, alpha-3 -> English short name, alpha-3 -> alpha-2)."""
    lookup: dict[str, str] = {}
    names: dict[str, str] = {}
    alpha2s: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        alpha2, alpha3, rest = line.split(" ", 2)
        all_names = rest.split("|")
        names[alpha3] = all_names[0]
        alpha2s[alpha3] = alpha2
        for text in (alpha2, alpha3, *all_names):
            key = name_key(text)
            if lookup.get(key, alpha3) != alpha3:  # pragma: no cover - guards the table above
                raise ValueError(f"{text!r} names both {lookup[key]} and {alpha3}")
            lookup[key] = alpha3
    return lookup, names, alpha2s


def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-3 code for an alpha-2 or alpha-3 code or English name, else None."""
    if text is None:
        return None
    return _tables()[0].get(name_key(str(text)))


def country_name(alpha3: str) -> str | None:
    """The short name of an alpha-3 code in the language in force (English in the table;
    Danish and French from the CLDR names Babel carries)."""
    code = alpha3.upper()
    english = _tables()[1].get(code)
    locale = i18n.babel_locale()
    if english is None or locale == "en":
        return english
    alpha2 = _tables()[2].get(code)
    return _localised_names(locale).get(alpha2 or "", english)


@cache
def _localised_names(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def all_alpha3() -> list[str]:
    return sorted(_tables()[1])
