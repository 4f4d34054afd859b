-- The pool's data-quality flags (DATA.md "warnings"): questionable data that is imported
-- but flagged. Recomputed for the whole pool after every import, because some flags
-- (a project's median, ageing at the pool's latest date) depend on rows other than the
-- flagged one. Parameters: none. Produces rows shaped like the warnings table, without import_id.
WITH ds AS (
    SELECT d.*, date_diff('day', d.cycle_start_date, d.report_date) AS cycle_days,
           d.savings / NULLIF(d.members, 0) AS savings_per_member
    FROM datasets d
),
project_median AS (
    SELECT project_id, median(savings_per_member) AS median_spm
    FROM ds GROUP BY project_id
),
latest_report AS (
    SELECT max(report_date) AS pool_latest FROM datasets
),
group_latest AS (
    SELECT project_id, group_id, max(report_date) AS latest FROM datasets GROUP BY ALL
),
-- The largest amount of each dataset in USD at its year's rate (USD is 1; the import makes
-- sure every other currency has a rate for its year), for the implausible-amount warning.
largest AS (
    SELECT ds.project_id, ds.group_id, ds.report_date, p.currency,
           greatest(savings, loans_outstanding_value, late_loans_balance, write_offs,
                    loan_fund_cash, other_funds_cash, property_at_start, property_now,
                    debts) AS amount,
           CASE amount WHEN savings THEN 'savings'
                       WHEN loans_outstanding_value THEN 'loans_outstanding_value'
                       WHEN loan_fund_cash THEN 'loan_fund_cash'
                       WHEN property_now THEN 'property_now'
                       WHEN property_at_start THEN 'property_at_start'
                       WHEN other_funds_cash THEN 'other_funds_cash'
                       WHEN debts THEN 'debts'
                       WHEN write_offs THEN 'write_offs'
                       ELSE 'late_loans_balance' END AS "column",
           amount / CASE WHEN p.currency = 'USD' THEN 1.0 ELSE r.per_usd END AS usd
    FROM ds
    JOIN projects p USING (project_id)
    LEFT JOIN exchange_rates r ON r.currency = p.currency AND r.year = year(ds.report_date)
)
SELECT 'high_savings_per_member' AS rule, ds.project_id, ds.group_id, ds.report_date,
       'savings' AS "column", ds.savings_per_member AS value,
       printf('Savings per member (%.2f) is over 10 times the project''s median (%.2f): check the savings and members.',
              ds.savings_per_member, pm.median_spm) AS message
FROM ds JOIN project_median pm USING (project_id)
WHERE pm.median_spm > 0 AND ds.savings_per_member > 10 * pm.median_spm
UNION ALL
SELECT 'low_attendance', project_id, group_id, report_date, 'members_attending',
       members_attending / members,
       printf('Only %d of %d members attended (%.0f%%, below 30%%): check the attendance count.',
              members_attending, members, 100.0 * members_attending / members)
FROM ds WHERE members > 0 AND members_attending < 0.3 * members
UNION ALL
SELECT 'high_dropouts', project_id, group_id, report_date, 'dropouts',
       dropouts / members_at_start,
       printf('%d dropouts this cycle is more than half of the %d members at start: check the dropouts.',
              dropouts, members_at_start)
FROM ds WHERE members_at_start > 0 AND dropouts > 0.5 * members_at_start
UNION ALL
SELECT 'high_portfolio_at_risk', project_id, group_id, report_date, 'late_loans_balance',
       late_loans_balance / loans_outstanding_value,
       printf('Late loans are %.0f%% of loans outstanding (above 50%%): check the late loans balance.',
              100.0 * late_loans_balance / loans_outstanding_value)
FROM ds WHERE loans_outstanding_value > 0 AND late_loans_balance > 0.5 * loans_outstanding_value
UNION ALL
SELECT 'members_far_from_start', project_id, group_id, report_date, 'members',
       members / members_at_start,
       printf('%d members now against %d at the start of the cycle (more than 50%% apart): check both counts.',
              members, members_at_start)
FROM ds WHERE members_at_start > 0
  AND (members > 1.5 * members_at_start OR members < 0.5 * members_at_start)
UNION ALL
SELECT 'long_cycle', project_id, group_id, report_date, 'cycle_start_date',
       cycle_days,
       printf('The cycle has run %d days (over 18 months): check the cycle start date or record the share-out.',
              cycle_days)
FROM ds WHERE cycle_days > 548
UNION ALL
SELECT 'ageing_data', gl.project_id, gl.group_id, gl.latest, 'report_date',
       date_diff('day', gl.latest, lr.pool_latest),
       printf('The group''s latest dataset (%s) is %d days older than the pool''s latest report date (%s): collect new data or mark the group inactive.',
              strftime(gl.latest, '%Y-%m-%d'), date_diff('day', gl.latest, lr.pool_latest),
              strftime(lr.pool_latest, '%Y-%m-%d'))
FROM group_latest gl CROSS JOIN latest_report lr
WHERE date_diff('day', gl.latest, lr.pool_latest) > 183
UNION ALL
-- Implausible, not impossible (an amount above USD 1,000,000 is an import error): a group of
-- 10 to 30 members saves a few hundred to a few thousand USD a cycle.
SELECT 'large_amount', project_id, group_id, report_date, "column", usd,
       printf('%s of USD %.0f (%.0f %s) is more than USD 100,000, far more than savings groups hold: check the amount and the project''s currency.',
              "column", usd, amount, currency)
FROM largest WHERE usd > 100000
UNION ALL
-- A member holds one loan at a time in the VSLA methodology.
SELECT 'loans_above_members', project_id, group_id, report_date, 'loans_outstanding_count',
       loans_outstanding_count / members,
       printf('%d loans outstanding for %d members: a member holds one loan at a time; check the count of loans.',
              loans_outstanding_count, members)
FROM ds WHERE loans_outstanding_count > members
