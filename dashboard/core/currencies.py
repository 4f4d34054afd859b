"""ISO 4217 currency codes accepted for a project or an exchange rate.

The active national and regional currencies (list of 2025, with XCG), plus a few codes
withdrawn recently that older reports still carry (HRK, MRO, SLL, STD, VEF, ZWL). Precious
metals, fund codes and testing codes (XAU, XDR, XTS, XXX, BOV, ...) are not currencies a
savings group keeps its books in, and are refused.
"""

from __future__ import annotations

_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
    QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
    TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF
    YER ZAR ZMW ZWG
    HRK MRO SLL STD VEF ZWL
    """

ISO_4217: frozenset[str] = frozenset(_CODES.split())


def is_currency(code: str | None) -> bool:
    return code is not None and code.strip().upper() in ISO_4217
