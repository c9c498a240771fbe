-- Plans no summary has reported on (same `plan_id`): still running, lost, or never executed.
CREATE OR REPLACE VIEW plans_without_summary AS
SELECT p.plan_id, p.issue_number, p.batch_id, p.time, p.file, p.line
FROM plan_created_v1 AS p
WHERE NOT EXISTS (SELECT 1 FROM execution_summary_v1 AS s WHERE s.plan_id = p.plan_id)
ORDER BY p.plan_id, p.file, p.line;
