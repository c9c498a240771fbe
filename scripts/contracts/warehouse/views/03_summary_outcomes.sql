-- What each summary's run came to: `success` (no workflow failed), `partial_success` (some failed, some executed), `failure` (every workflow that ran failed) or `skipped`.
CREATE OR REPLACE VIEW summary_outcomes AS
SELECT plan_id, issue_number, run_status, allow_partial_success, file, line,
       count(*) FILTER (WHERE status = 'executed') AS executed,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'skipped') AS skipped,
       CASE WHEN run_status = 'skipped' THEN 'skipped'
            WHEN count(*) FILTER (WHERE status = 'failed') = 0 THEN 'success'
            WHEN count(*) FILTER (WHERE status = 'executed') > 0 THEN 'partial_success'
            ELSE 'failure' END AS outcome
FROM workflow_runs
GROUP BY plan_id, issue_number, run_status, allow_partial_success, file, line
ORDER BY file, line;
