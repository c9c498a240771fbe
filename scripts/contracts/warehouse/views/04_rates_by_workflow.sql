-- Partial-success and failure rates by workflow, over the runs that were executed: how often the workflow failed, and how often the run it was part of was a partial success.
CREATE OR REPLACE VIEW rates_by_workflow AS
SELECT w.workflow_name,
       count(*) AS runs,
       count(*) FILTER (WHERE w.status = 'failed') AS failed,
       round(count(*) FILTER (WHERE w.status = 'failed') / count(*), 3) AS failure_rate,
       round(count(*) FILTER (WHERE o.outcome = 'partial_success') / count(*), 3) AS partial_success_rate
FROM workflow_runs AS w
JOIN summary_outcomes AS o ON o.file = w.file AND o.line = w.line
WHERE w.run_status = 'executed'
GROUP BY w.workflow_name
ORDER BY w.workflow_name;
