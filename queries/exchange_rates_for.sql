-- Annual rates of one currency (units per USD), for the display currency.
-- Parameters: $currency VARCHAR.
SELECT year, per_usd FROM exchange_rates WHERE currency = $currency::VARCHAR ORDER BY year
