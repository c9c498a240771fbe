-- Each plan joined to its summary: the plan's settings beside what became of it. A plan without a summary has NULL summary columns.
CREATE OR REPLACE VIEW plan_outcomes AS
SELECT p.plan_id, p.issue_number, p.workflow_count, p.allow_partial_success, p.preview_only,
       s.status, s.skip_reason, len(s.errors) AS errors,
       p.file AS plan_file, p.line AS plan_line, s.file AS summary_file, s.line AS summary_line
FROM plan_created_v1 AS p
LEFT JOIN execution_summary_v1 AS s USING (plan_id)
ORDER BY p.plan_id, p.file, p.line, s.file, s.line;
