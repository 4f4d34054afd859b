-- Demo generator: one batch of groups of one project (dashboard.demo.build), from the registered
-- DataFrame demo_batch whose ids and dates are integers. Parameters: $project_id.
INSERT INTO groups
SELECT $project_id,
       printf('G%05d', group_no),
       name_word::VARCHAR || ' Group ' || name_no,
       DATE '1970-01-01' + formation_day::INTEGER,
       trained_by::VARCHAR,
       printf('%s-%s-%02d', trainer_kind::VARCHAR, $project_id, trainer_no),
       region::VARCHAR,
       setting::VARCHAR,
       tags::VARCHAR,
       latitude,
       longitude
FROM demo_batch
