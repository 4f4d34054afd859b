-- Demo generator: one batch of datasets of one project (dashboard.demo.build), from the registered
-- DataFrame demo_batch whose ids and dates are integers.
-- Parameters: $project_id, $youth_recorded (youth is NULL where the project does not record it).
INSERT INTO datasets
SELECT $project_id,
       printf('G%05d', group_no),
       DATE '1970-01-01' + report_day::INTEGER,
       cycle_number,
       DATE '1970-01-01' + cycle_start_day::INTEGER,
       members_at_start,
       members,
       women,
       men,
       CASE WHEN $youth_recorded THEN youth END,
       members_attending,
       dropouts,
       savings,
       loans_outstanding_count,
       loans_outstanding_value,
       late_loans_balance,
       write_offs,
       loan_fund_cash,
       other_funds_cash,
       property_at_start,
       property_now,
       debts,
       status::VARCHAR
FROM demo_batch
